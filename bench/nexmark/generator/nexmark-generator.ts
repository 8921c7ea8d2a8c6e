/**
 * One Nexmark event generator (one split): the Nexmark spec §1.3–1.5, NX `NexmarkGenerator`.
 */
import { HOT_CHANNELS, HOT_URLS, channelName, channelUrl } from './channel-cache.ts';
import { auctionEventOf, bidEventOf, personEventOf } from './event-factory.ts';
import { EventKernel, KERNEL_BATCH, ROW_FIELDS } from './event-kernel.ts';
import type { NexmarkEvent } from './events.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { interEventDelayUs, timestampForEventNumber } from './generator-config.ts';
import { FIRST_NAMES, LAST_NAMES, US_CITIES, US_STATES } from './person-generator.ts';
import { extraCache1MiB } from './strings.ts';

/** `"First Last"` for every pair, at `first · LAST_NAMES.length + last` (the kernel's index). */
const NAMES: readonly string[] = FIRST_NAMES.flatMap((first) =>
  LAST_NAMES.map((last) => `${first} ${last}`),
);

/**
 * Generates the events of one {@link GeneratorConfig}, in order. The k-th event has
 * `num = firstEventNumber + k` (its adjusted number too, with NX's default out-of-order group size
 * 1), id `firstEventId + num`, time `ts(num)`, and draws its fields from
 * `java.util.Random(seed·2^32 + eventId)` after one discarded draw — so its content depends only
 * on its id and the seed. The draws run in a WebAssembly kernel, {@link KERNEL_BATCH} events at a
 * time (ADR 0025); `reference-event.ts` is the same generator in TypeScript.
 */
export class NexmarkGenerator {
  readonly config: GeneratorConfig;
  private readonly delayUs: number;
  private readonly kernel: EventKernel;
  private readonly rows: Float64Array;
  private readonly bytes: Buffer;
  private readonly extras = extraCache1MiB();
  private count = 0;
  /** Row of the next event in the kernel's batch; the batch holds `batchSize` rows. */
  private cursor = 0;
  private batchSize = 0;
  private lastTimestamp: number;

  constructor(config: GeneratorConfig) {
    this.config = config;
    this.delayUs = interEventDelayUs(config);
    this.kernel = new EventKernel(config);
    this.rows = this.kernel.rows;
    this.bytes = this.kernel.bytes;
    this.lastTimestamp = config.baseTime;
  }

  /** Number of events generated so far. */
  get eventsCountSoFar(): number {
    return this.count;
  }

  /** True while fewer than `maxEvents` events were generated. */
  hasNext(): boolean {
    return this.count < this.config.maxEvents;
  }

  /** Event time of the last generated event (`baseTime` before the first). */
  get currentTimestamp(): number {
    return this.lastTimestamp;
  }

  /** The event-time watermark hint after the last event: the last event's time, nothing held back. */
  watermarkHint(): number {
    const num = this.config.firstEventNumber + this.count - 1;
    return timestampForEventNumber(this.config.baseTime, this.delayUs, num);
  }

  /** The next event; call only while {@link hasNext}. */
  next(): NexmarkEvent {
    if (this.cursor === this.batchSize) this.refill();
    const rows = this.rows;
    const r = this.cursor * ROW_FIELDS;
    this.cursor++;
    this.count++;
    const type = rows[r] as number;
    const dateTime = rows[r + 1] as number;
    this.lastTimestamp = dateTime;
    if (type === 2) {
      const channel = rows[r + 5] as number;
      const hot = channel < 0;
      return bidEventOf({
        auction: rows[r + 2] as number,
        bidder: rows[r + 3] as number,
        price: rows[r + 4] as number,
        channel: hot ? (HOT_CHANNELS[-1 - channel] as string) : channelName(channel),
        url: hot ? (HOT_URLS[-1 - channel] as string) : channelUrl(channel),
        dateTime,
        extra: this.extra(rows[r + 6] as number, rows[r + 7] as number),
      });
    }
    const bytes = this.bytes;
    if (type === 1) {
      const itemEnd = rows[r + 4] as number;
      return auctionEventOf({
        id: rows[r + 2] as number,
        itemName: bytes.toString('latin1', rows[r + 3] as number, itemEnd),
        description: bytes.toString('latin1', itemEnd, rows[r + 5] as number),
        initialBid: rows[r + 6] as number,
        reserve: rows[r + 7] as number,
        dateTime,
        expires: rows[r + 8] as number,
        seller: rows[r + 9] as number,
        category: rows[r + 10] as number,
        extra: this.extra(rows[r + 11] as number, rows[r + 12] as number),
      });
    }
    const emailEnd = rows[r + 5] as number;
    return personEventOf({
      id: rows[r + 2] as number,
      name: NAMES[rows[r + 3] as number] as string,
      emailAddress: bytes.toString('latin1', rows[r + 4] as number, emailEnd),
      creditCard: bytes.toString('latin1', emailEnd, rows[r + 6] as number),
      city: US_CITIES[rows[r + 7] as number] as string,
      state: US_STATES[rows[r + 8] as number] as string,
      dateTime,
      extra: this.extra(rows[r + 9] as number, rows[r + 10] as number),
    });
  }

  /** Appends up to `max` next events to `out` from index 0 on; returns how many were written. */
  fill(out: NexmarkEvent[], max: number): number {
    const n = Math.min(max, this.config.maxEvents - this.count);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return n;
  }

  /** Draws the next batch (never past `maxEvents`: the kernel counts what it drew). */
  private refill(): void {
    const n = Math.min(KERNEL_BATCH, this.config.maxEvents - this.count);
    this.kernel.generate(n);
    this.batchSize = n;
    this.cursor = 0;
  }

  private extra(offset: number, size: number): string {
    return this.extras.substring(offset, offset + size);
  }
}
