/**
 * The updating aggregations, emitted as their final value at end of input (q18, q19) or when
 * their day window closes (q15, q17: `GROUP BY DATE_FORMAT(dateTime, 'yyyy-MM-dd')` is a tumbling
 * UTC day).
 */
import { bidRecord, rankedBidRecord } from '../query-records.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { DAY_MS, band, compareLast, compareRank, dayString } from './helpers.ts';
import type { LoopQuery } from './types.ts';
import { BATCH_SIZE, WATERMARK_DELAY_MS } from './types.ts';

/** Runs `onBid` for every bid and `closeDaysBefore(dayStart)` whenever days end (watermark). */
function dayWindowed(
  source: Parameters<LoopQuery>[0],
  onBid: (b: Bid, day: number) => void,
  closeDaysBefore: (limit: number) => void,
): void {
  const buf: NexmarkEvent[] = [];
  let maxTs = -Infinity;
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const e = buf[i] as NexmarkEvent;
      if (e.dateTime > maxTs) maxTs = e.dateTime;
      const b = e.bid;
      if (b !== null) onBid(b, Math.floor(b.dateTime / DAY_MS) * DAY_MS);
    }
    // A day [d, d + DAY) fires once the watermark reaches d + DAY − 1.
    closeDaysBefore(maxTs - WATERMARK_DELAY_MS + 1);
  }
  closeDaysBefore(Infinity);
}

interface Q15Acc {
  readonly bids: number[];
  readonly bidders: Set<number>[];
  readonly auctions: Set<number>[];
}

/** q15 bidding statistics per day: counts and distinct bidders/auctions, overall and per band. */
export const q15: LoopQuery = (source, sink) => {
  const days = new Map<number, Q15Acc>();
  dayWindowed(
    source,
    (b, day) => {
      let acc = days.get(day);
      if (acc === undefined) {
        acc = {
          bids: [0, 0, 0, 0],
          bidders: [new Set(), new Set(), new Set(), new Set()],
          auctions: [new Set(), new Set(), new Set(), new Set()],
        };
        days.set(day, acc);
      }
      const r = band(b.price);
      acc.bids[0] = (acc.bids[0] as number) + 1;
      acc.bids[r] = (acc.bids[r] as number) + 1;
      (acc.bidders[0] as Set<number>).add(b.bidder);
      (acc.bidders[r] as Set<number>).add(b.bidder);
      (acc.auctions[0] as Set<number>).add(b.auction);
      (acc.auctions[r] as Set<number>).add(b.auction);
    },
    (limit) => {
      for (const [day, a] of days) {
        if (day + DAY_MS > limit) continue;
        days.delete(day);
        const size = (sets: Set<number>[], i: number): number => (sets[i] as Set<number>).size;
        sink({
          day: dayString(day),
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
      }
    },
  );
};

interface Q17Acc {
  count: number;
  r1: number;
  r2: number;
  r3: number;
  min: number;
  max: number;
  sum: number;
}

/** q17 auction statistics per (auction, day): band counts and min/max/avg/sum of price. */
export const q17: LoopQuery = (source, sink) => {
  const days = new Map<number, Map<number, Q17Acc>>();
  dayWindowed(
    source,
    (b, day) => {
      let auctions = days.get(day);
      if (auctions === undefined) {
        auctions = new Map();
        days.set(day, auctions);
      }
      let acc = auctions.get(b.auction);
      if (acc === undefined) {
        acc = { count: 0, r1: 0, r2: 0, r3: 0, min: Infinity, max: -Infinity, sum: 0 };
        auctions.set(b.auction, acc);
      }
      const p = b.price;
      acc.count++;
      const r = band(p);
      if (r === 1) acc.r1++;
      else if (r === 2) acc.r2++;
      else acc.r3++;
      if (p < acc.min) acc.min = p;
      if (p > acc.max) acc.max = p;
      acc.sum += p;
    },
    (limit) => {
      for (const [day, auctions] of days) {
        if (day + DAY_MS > limit) continue;
        days.delete(day);
        const dayText = dayString(day);
        for (const [auction, a] of auctions) {
          sink({
            auction,
            day: dayText,
            total_bids: a.count,
            rank1_bids: a.r1,
            rank2_bids: a.r2,
            rank3_bids: a.r3,
            min_price: a.min,
            max_price: a.max,
            avg_price: Math.floor(a.sum / a.count),
            sum_price: a.sum,
          });
        }
      }
    },
  );
};

/** q18 last bid per (bidder, auction), by (dateTime, price, extra); final values at end. */
export const q18: LoopQuery = (source, sink) => {
  const byBidder = new Map<number, Map<number, Bid>>();
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const b = (buf[i] as NexmarkEvent).bid;
      if (b === null) continue;
      let auctions = byBidder.get(b.bidder);
      if (auctions === undefined) {
        auctions = new Map();
        byBidder.set(b.bidder, auctions);
      }
      const cur = auctions.get(b.auction);
      if (cur === undefined || compareLast(b, cur) > 0) auctions.set(b.auction, b);
    }
  }
  for (const auctions of byBidder.values()) for (const b of auctions.values()) sink(bidRecord(b));
};

/** q19 top 10 bids per auction by price (ties by dateTime, bidder, extra), with rank; at end. */
export const q19: LoopQuery = (source, sink) => {
  const tops = new Map<number, Bid[]>();
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const b = (buf[i] as NexmarkEvent).bid;
      if (b === null) continue;
      let list = tops.get(b.auction);
      if (list === undefined) {
        list = [];
        tops.set(b.auction, list);
      } else if (list.length === 10 && compareRank(b, list[9] as Bid) >= 0) continue;
      let at = list.length;
      while (at > 0 && compareRank(b, list[at - 1] as Bid) < 0) at--;
      list.splice(at, 0, b);
      if (list.length > 10) list.length = 10;
    }
  }
  for (const list of tops.values()) {
    list.forEach((b, i) => sink(rankedBidRecord(b, i + 1)));
  }
};
