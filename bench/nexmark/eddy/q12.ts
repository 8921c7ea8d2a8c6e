/**
 * q12 processing-time windows: bids per bidder in 10 s tumbling windows of processing time, the
 * open windows flushed at the end of input (as the Flink baseline does). Being processing time,
 * the windows depend on timing, so runs are compared by per-bidder totals.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { END_OF_TIME, type EddyQuery } from './eddy-query.ts';

const TUMBLE = 10_000;

interface OpenWindow {
  start: number;
  count: number;
}

class CountPerWindow implements KeyedProcessFunction<number, number, CanonicalRecord> {
  private window!: ValueState<OpenWindow>;
  open(ctx: Context<number>): void {
    this.window = ctx.getState(new ValueStateDescriptor<OpenWindow>('open-window'));
  }
  processElement(_bidder: number, ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const now = ctx.timerService().currentProcessingTime();
    const start = now - (now % TUMBLE);
    const w = this.window.value();
    if (w === undefined) ctx.timerService().registerEventTimeTimer(END_OF_TIME);
    else if (w.start !== start && w.count > 0) this.emit(ctx.getCurrentKey(), w, out);
    if (w === undefined || w.start !== start || w.count === 0) {
      ctx.timerService().registerProcessingTimeTimer(start + TUMBLE - 1);
      this.window.update({ start, count: 1 });
    } else {
      w.count++;
      this.window.update(w);
    }
  }
  onTimer(ts: number, ctx: OnTimerContext<number>, out: Collector<CanonicalRecord>): void {
    const w = this.window.value();
    if (w === undefined || w.count === 0) return;
    if (ts === END_OF_TIME || ts >= w.start + TUMBLE - 1) {
      this.emit(ctx.getCurrentKey(), w, out);
      this.window.update({ start: w.start, count: 0 });
    }
  }
  private emit(bidder: number, w: OpenWindow, out: Collector<CanonicalRecord>): void {
    out.collect({ bidder, bid_count: w.count, starttime: w.start, endtime: w.start + TUMBLE });
  }
}

export const q12: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    // Projected before keyBy, as the tuned Flink job does: only the bidder id crosses threads.
    .map((e: NexmarkEvent) => (e.bid as Bid).bidder)
    .name('bid bidder')
    .keyBy((bidder: number) => bidder)
    .process(new CountPerWindow())
    .name('q12 bids per bidder and processing-time window');
