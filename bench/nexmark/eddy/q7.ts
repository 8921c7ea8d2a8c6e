/**
 * q7 highest bid: per 10 s tumbling window the bids at the window's highest price, including bids
 * at exactly the window's end (NX's `BETWEEN … AND` is inclusive). One task holds the open windows
 * (max, bids at the max, bids at the boundary) and emits a window when the watermark reaches its
 * end, by which time every bid at exactly the end has arrived.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import { MapStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { MapState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

const TUMBLE = 10_000;

interface HighestBids {
  max: number;
  atMax: Bid[];
  /** Bids at exactly the window's end: they count when their price equals the window's max. */
  boundary: Bid[];
}

const record = (b: Bid): CanonicalRecord => ({
  auction: b.auction,
  price: b.price,
  bidder: b.bidder,
  dateTime: b.dateTime,
  extra: b.extra,
});

class HighestBidPerWindow implements KeyedProcessFunction<number, Bid, CanonicalRecord> {
  private windows!: MapState<number, HighestBids>;
  open(ctx: Context<number>): void {
    this.windows = ctx.getMapState(new MapStateDescriptor<number, HighestBids>('windows-by-start'));
  }
  private get(start: number, ctx: Context<number>): HighestBids {
    let w = this.windows.get(start);
    if (w === undefined) {
      w = { max: -1, atMax: [], boundary: [] };
      this.windows.put(start, w);
      ctx.timerService().registerEventTimeTimer(start + TUMBLE);
    }
    return w;
  }
  processElement(b: Bid, ctx: Context<number>): void {
    const start = b.dateTime - (b.dateTime % TUMBLE);
    const w = this.get(start, ctx);
    if (b.price > w.max) {
      w.max = b.price;
      w.atMax = [b];
    } else if (b.price === w.max) w.atMax.push(b);
    // Written back: backends other than the heap hand out copies.
    this.windows.put(start, w);
    if (start === b.dateTime) {
      const previous = this.get(start - TUMBLE, ctx);
      previous.boundary.push(b);
      this.windows.put(start - TUMBLE, previous);
    }
  }
  onTimer(ts: number, _ctx: OnTimerContext<number>, out: Collector<CanonicalRecord>): void {
    const start = ts - TUMBLE;
    const w = this.windows.get(start);
    if (w === undefined) return;
    this.windows.remove(start);
    if (w.max < 0) return;
    for (const b of w.atMax) out.collect(record(b));
    for (const b of w.boundary) if (b.price === w.max) out.collect(record(b));
  }
}

export const q7: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent) => e.bid as Bid)
    .name('bid')
    .keyBy(() => 0)
    .process(new HighestBidPerWindow())
    .name('q7 highest bids per window');
