/** q0 pass-through: (auction, bidder, price, dateTime, extra) of every bid. */
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q0: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map<CanonicalRecord>((e: NexmarkEvent) => {
      const b = e.bid as Bid;
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        dateTime: b.dateTime,
        extra: b.extra,
      };
    })
    .name('q0');
