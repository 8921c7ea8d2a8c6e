/**
 * One Nexmark event generator (one split): the Nexmark spec §1.3–1.5, NX `NexmarkGenerator`.
 */
import { auctionEventOf, bidEventOf, personEventOf } from './event-factory.ts';
import type { NexmarkEvent } from './events.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { interEventDelayUs, timestampForEventNumber } from './generator-config.ts';
import { nextAuction } from './auction-generator.ts';
import { nextBid } from './bid-generator.ts';
import { AUCTION_PROPORTION, PERSON_PROPORTION, TOTAL_PROPORTION } from './id-assignment.ts';
import { JavaRandom } from './java-random.ts';
import { nextPerson } from './person-generator.ts';

/** NX `outOfOrderGroupSize` default: 1, i.e. no reordering. */
const OUT_OF_ORDER_GROUP_SIZE = 1;
const TWO_32 = 0x100000000;

/**
 * NX `getNextAdjustedEventNumber`: `⌊num/G⌋·G + (num·953 mod G)`. With the default G = 1 it is
 * `num` itself; the general form is kept apart because `num·953` passes 2^31 within a few million
 * events, and V8 compiles `%` of a double as a C call to fmod — once per event.
 */
function adjustedEventNumber(num: number): number {
  const g = OUT_OF_ORDER_GROUP_SIZE;
  if (g === 1) return num;
  return Math.floor(num / g) * g + ((num * 953) % g);
}

/**
 * Generates the events of one {@link GeneratorConfig}, in order. The k-th event has
 * `num = firstEventNumber + k`, adjusted number `adj` (= `num` with the default group size 1),
 * id `firstEventId + adj`, time `ts(adj)`, and draws its fields from
 * `java.util.Random(seed·2^32 + eventId)` after one discarded draw ({@link JavaRandom.reseed}) —
 * so its content depends only on its id and the seed.
 */
export class NexmarkGenerator {
  readonly config: GeneratorConfig;
  private readonly delayUs: number;
  private readonly random = new JavaRandom(0);
  private readonly seedBase: number;
  private count = 0;
  private lastTimestamp: number;

  constructor(config: GeneratorConfig) {
    this.config = config;
    this.delayUs = interEventDelayUs(config);
    this.seedBase = config.seed * TWO_32;
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

  /** The event-time watermark hint after the last event: `ts(⌊num/G⌋·G)` − nothing held back. */
  watermarkHint(): number {
    const num = this.config.firstEventNumber + this.count - 1;
    const g = OUT_OF_ORDER_GROUP_SIZE;
    return timestampForEventNumber(this.config.baseTime, this.delayUs, Math.floor(num / g) * g);
  }

  /** The next event; call only while {@link hasNext}. */
  next(): NexmarkEvent {
    const config = this.config;
    const num = config.firstEventNumber + this.count;
    const adj = adjustedEventNumber(num);
    const eventId = config.firstEventId + adj;
    const timestamp = timestampForEventNumber(config.baseTime, this.delayUs, adj);
    const random = this.random;
    random.reseed(this.seedBase + eventId);
    this.count++;
    this.lastTimestamp = timestamp;
    const rem = eventId % TOTAL_PROPORTION;
    if (rem < PERSON_PROPORTION) return personEventOf(nextPerson(eventId, random, timestamp));
    if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) {
      return auctionEventOf(
        nextAuction(eventId, adj, random, timestamp, config.baseTime, this.delayUs),
      );
    }
    return bidEventOf(nextBid(eventId, random, timestamp));
  }

  /** Appends up to `max` next events to `out` from index 0 on; returns how many were written. */
  fill(out: NexmarkEvent[], max: number): number {
    const n = Math.min(max, this.config.maxEvents - this.count);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return n;
  }
}
