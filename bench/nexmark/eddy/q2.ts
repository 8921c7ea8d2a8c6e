/** q2 selection: (auction, price) of bids where auction % 123 = 0. */
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q2: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null && e.bid.auction % 123 === 0)
    .name('bids of auction % 123')
    .map<CanonicalRecord>((e: NexmarkEvent) => {
      const b = e.bid as Bid;
      return { auction: b.auction, price: b.price };
    })
    .name('q2');
