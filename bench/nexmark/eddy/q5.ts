/**
 * q5 hot items: per HOP(2 s, 10 s) window the auctions with the most bids (ties kept). Stage 1
 * counts bids per auction in Eddy's sliding event-time windows; stage 2, keyed by window, keeps
 * the auctions at the maximum and emits them when the watermark passes the window's end.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import type { ProcessWindowContext } from '../../../src/core/functions/process-window-function.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import { SlidingEventTimeWindows } from '../../../src/time/windowing/assigners/sliding-event-time-windows.ts';
import type { TimeWindow } from '../../../src/core/window.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

interface AuctionCount {
  readonly auction: number;
  readonly num: number;
  /** The window's last millisecond: the key of stage 2 and its timer. */
  readonly windowMax: number;
}

interface Hottest {
  max: number;
  auctions: number[];
}

class HottestPerWindow implements KeyedProcessFunction<number, AuctionCount, CanonicalRecord> {
  private state!: ValueState<Hottest>;

  open(ctx: Context<number>): void {
    this.state = ctx.getState(new ValueStateDescriptor<Hottest>('hottest'));
  }

  processElement(c: AuctionCount, ctx: Context<number>): void {
    const s = this.state.value();
    if (s === undefined) {
      this.state.update({ max: c.num, auctions: [c.auction] });
      ctx.timerService().registerEventTimeTimer(c.windowMax);
    } else if (c.num > s.max) {
      s.max = c.num;
      s.auctions = [c.auction];
    } else if (c.num === s.max) s.auctions.push(c.auction);
  }

  onTimer(_t: number, _ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const s = this.state.value();
    if (s !== undefined) for (const auction of s.auctions) out.collect({ auction, num: s.max });
    this.state.clear();
  }
}

export const q5: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    // Projected before keyBy, as the tuned Flink job does: only the auction id crosses threads.
    .map((e: NexmarkEvent) => (e.bid as Bid).auction)
    .name('bid auction')
    .keyBy((auction: number) => auction)
    .window(SlidingEventTimeWindows.of(10_000, 2_000))
    .aggregate(
      {
        createAccumulator: () => 0,
        add: (_auction: number, n: number) => n + 1,
        getResult: (n: number) => n,
        // With merge(), sliding windows are computed by 2 s slices (ADR 0004): one count per
        // auction and slice instead of one per window, and one timer per auction.
        merge: (a: number, b: number) => a + b,
      },
      (
        auction: number,
        ctx: ProcessWindowContext<TimeWindow>,
        counts: readonly number[],
        out: Collector<AuctionCount>,
      ) => out.collect({ auction, num: counts[0] as number, windowMax: ctx.window.end - 1 }),
    )
    .name('bids per auction and window')
    .keyBy((c: AuctionCount) => c.windowMax)
    .process(new HottestPerWindow())
    .name('q5 hottest auctions');
