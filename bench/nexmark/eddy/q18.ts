/**
 * q18 last bid per (bidder, auction), by (dateTime, price, extra) — final values, emitted by an
 * event-time timer at the end of input.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { compareLast } from '../loop/helpers.ts';
import { bidRecord } from '../query-records.ts';
import { END_OF_TIME, type EddyQuery } from './eddy-query.ts';

/** (bidder, auction) as one number: auction ids stay below 2^26 up to ~10^9 events. */
const pairKey = (b: Bid): number => b.bidder * 67_108_864 + b.auction;

class LastBid implements KeyedProcessFunction<number, Bid, CanonicalRecord> {
  private last!: ValueState<Bid>;
  open(ctx: Context<number>): void {
    this.last = ctx.getState(new ValueStateDescriptor<Bid>('last-bid'));
  }
  processElement(b: Bid, ctx: Context<number>): void {
    const cur = this.last.value();
    if (cur === undefined) {
      this.last.update(b);
      ctx.timerService().registerEventTimeTimer(END_OF_TIME);
    } else if (compareLast(b, cur) > 0) this.last.update(b);
  }
  onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<CanonicalRecord>): void {
    const b = this.last.value();
    if (b !== undefined) out.collect(bidRecord(b));
  }
}

export const q18: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent) => e.bid as Bid)
    .name('bid')
    .keyBy(pairKey)
    .process(new LastBid())
    .name('q18 last bid per bidder and auction');
