/**
 * q17 auction statistics per day: per auction and UTC day, the number of bids (in total and per
 * price band), min, max, average (truncated) and sum of prices — a keyed tumbling one-day
 * event-time window with an incremental aggregate.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { ProcessWindowContext } from '../../../src/core/functions/process-window-function.ts';
import { TumblingEventTimeWindows } from '../../../src/time/windowing/assigners/tumbling-event-time-windows.ts';
import type { TimeWindow } from '../../../src/core/window.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { DAY_MS, band, dayString } from '../loop/helpers.ts';
import type { EddyQuery } from './eddy-query.ts';

/** The bid fields q17 reads (projected before keyBy, as the tuned Flink job does). */
interface AuctionPrice {
  readonly auction: number;
  readonly price: number;
}

interface DayStats {
  count: number;
  r1: number;
  r2: number;
  r3: number;
  min: number;
  max: number;
  sum: number;
}

export const q17: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent): AuctionPrice => {
      const b = e.bid as Bid;
      return { auction: b.auction, price: b.price };
    })
    .name('bid auction and price')
    .keyBy((b: AuctionPrice) => b.auction)
    .window(TumblingEventTimeWindows.of(DAY_MS))
    .aggregate(
      {
        createAccumulator: (): DayStats => ({
          count: 0,
          r1: 0,
          r2: 0,
          r3: 0,
          min: Infinity,
          max: -Infinity,
          sum: 0,
        }),
        add: (b: AuctionPrice, a: DayStats): DayStats => {
          const p = b.price;
          a.count++;
          const r = band(p);
          if (r === 1) a.r1++;
          else if (r === 2) a.r2++;
          else a.r3++;
          if (p < a.min) a.min = p;
          if (p > a.max) a.max = p;
          a.sum += p;
          return a;
        },
        getResult: (a: DayStats) => a,
        merge: (a: DayStats, b: DayStats): DayStats => ({
          count: a.count + b.count,
          r1: a.r1 + b.r1,
          r2: a.r2 + b.r2,
          r3: a.r3 + b.r3,
          min: Math.min(a.min, b.min),
          max: Math.max(a.max, b.max),
          sum: a.sum + b.sum,
        }),
      },
      (
        auction: number,
        ctx: ProcessWindowContext<TimeWindow>,
        stats: readonly DayStats[],
        out: Collector<CanonicalRecord>,
      ) => {
        const a = stats[0] as DayStats;
        out.collect({
          auction,
          day: dayString(ctx.window.start),
          total_bids: a.count,
          rank1_bids: a.r1,
          rank2_bids: a.r2,
          rank3_bids: a.r3,
          min_price: a.min,
          max_price: a.max,
          avg_price: Math.floor(a.sum / a.count),
          sum_price: a.sum,
        });
      },
    )
    .name('q17 auction statistics per day');
