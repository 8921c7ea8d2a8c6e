/** q1 currency conversion: q0 with price = 0.908·price as an exact DECIMAL(23,3) string. */
import type { CanonicalRecord } from '../canonical.ts';
import { decimalString } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q1: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map<CanonicalRecord>((e: NexmarkEvent) => {
      const b = e.bid as Bid;
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: decimalString(b.price * 908, 3),
        dateTime: b.dateTime,
        extra: b.extra,
      };
    })
    .name('q1');
