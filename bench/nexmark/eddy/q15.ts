/**
 * q15 bidding statistics per day: over all bids of a UTC day, the number of bids, distinct
 * bidders and distinct auctions, in total and per price band — a one-day tumbling event-time
 * `windowAll` with an incremental aggregate of counts and sets.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { ProcessWindowContext } from '../../../src/core/functions/process-window-function.ts';
import { TumblingEventTimeWindows } from '../../../src/time/windowing/assigners/tumbling-event-time-windows.ts';
import type { TimeWindow } from '../../../src/core/window.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { DAY_MS, band, dayString } from '../loop/helpers.ts';
import type { EddyQuery } from './eddy-query.ts';

/** Index 0: all bids; 1–3: the price bands. */
interface DayAcc {
  readonly bids: number[];
  readonly bidders: Set<number>[];
  readonly auctions: Set<number>[];
}

const fresh = (): DayAcc => ({
  bids: [0, 0, 0, 0],
  bidders: [new Set(), new Set(), new Set(), new Set()],
  auctions: [new Set(), new Set(), new Set(), new Set()],
});

/** The bid fields q15 reads (projected before the window, so less crosses threads at P > 1). */
interface BidKeys {
  readonly bidder: number;
  readonly auction: number;
  readonly price: number;
}

/** Counts `b` under index `i` (no allocation per bid). */
function count(a: DayAcc, i: number, b: BidKeys): void {
  a.bids[i] = (a.bids[i] as number) + 1;
  (a.bidders[i] as Set<number>).add(b.bidder);
  (a.auctions[i] as Set<number>).add(b.auction);
}

export const q15: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent): BidKeys => {
      const b = e.bid as Bid;
      return { bidder: b.bidder, auction: b.auction, price: b.price };
    })
    .name('bid keys')
    .windowAll(TumblingEventTimeWindows.of(DAY_MS))
    .aggregate(
      {
        createAccumulator: fresh,
        add: (b: BidKeys, a: DayAcc): DayAcc => {
          count(a, 0, b);
          count(a, band(b.price), b);
          return a;
        },
        getResult: (a: DayAcc) => a,
        merge: (a: DayAcc, b: DayAcc): DayAcc => {
          const m = fresh();
          for (let i = 0; i < 4; i++) {
            m.bids[i] = (a.bids[i] as number) + (b.bids[i] as number);
            for (const x of [a, b]) {
              for (const v of x.bidders[i] as Set<number>) (m.bidders[i] as Set<number>).add(v);
              for (const v of x.auctions[i] as Set<number>) (m.auctions[i] as Set<number>).add(v);
            }
          }
          return m;
        },
      },
      (
        ctx: ProcessWindowContext<TimeWindow>,
        results: readonly DayAcc[],
        out: Collector<CanonicalRecord>,
      ) => {
        const a = results[0] as DayAcc;
        const size = (sets: Set<number>[], i: number): number => (sets[i] as Set<number>).size;
        out.collect({
          day: dayString(ctx.window.start),
          total_bids: a.bids[0] as number,
          rank1_bids: a.bids[1] as number,
          rank2_bids: a.bids[2] as number,
          rank3_bids: a.bids[3] as number,
          total_bidders: size(a.bidders, 0),
          rank1_bidders: size(a.bidders, 1),
          rank2_bidders: size(a.bidders, 2),
          rank3_bidders: size(a.bidders, 3),
          total_auctions: size(a.auctions, 0),
          rank1_auctions: size(a.auctions, 1),
          rank2_auctions: size(a.auctions, 2),
          rank3_auctions: size(a.auctions, 3),
        });
      },
    )
    .name('q15 bidding statistics per day');
