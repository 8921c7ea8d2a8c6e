/**
 * q19 top 10 bids per auction by price (ties by dateTime, bidder, extra), with their rank — final
 * values, emitted by an event-time timer at the end of input.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { compareRank } from '../loop/helpers.ts';
import { END_OF_TIME, type EddyQuery } from './eddy-query.ts';
import { rankedBidRecord } from '../query-records.ts';

const TOP = 10;

class TopBids implements KeyedProcessFunction<number, Bid, CanonicalRecord> {
  private top!: ValueState<Bid[]>;
  open(ctx: Context<number>): void {
    this.top = ctx.getState(new ValueStateDescriptor<Bid[]>('top-bids'));
  }
  processElement(b: Bid, ctx: Context<number>): void {
    let list = this.top.value();
    if (list === undefined) {
      list = [];
      this.top.update(list);
      ctx.timerService().registerEventTimeTimer(END_OF_TIME);
    } else if (list.length === TOP && compareRank(b, list[TOP - 1] as Bid) >= 0) return;
    // The list is state: changed in place, it is still the stored value (heap backend), and it is
    // written back for backends that copy.
    let at = list.length;
    while (at > 0 && compareRank(b, list[at - 1] as Bid) < 0) at--;
    list.splice(at, 0, b);
    if (list.length > TOP) list.length = TOP;
    this.top.update(list);
  }
  onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<CanonicalRecord>): void {
    const list = this.top.value() ?? [];
    list.forEach((b, i) => out.collect(rankedBidRecord(b, i + 1)));
  }
}

export const q19: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent) => e.bid as Bid)
    .name('bid')
    .keyBy((b: Bid) => b.auction)
    .process(new TopBids())
    .name('q19 top bids per auction');
