/** q22 URL directories: SPLIT_INDEX(url, '/', 3 / 4 / 5). */
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { splitIndex } from '../loop/helpers.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q22: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map<CanonicalRecord>((e: NexmarkEvent) => {
      const b = e.bid as Bid;
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        channel: b.channel,
        dir1: splitIndex(b.url, '/', 3),
        dir2: splitIndex(b.url, '/', 4),
        dir3: splitIndex(b.url, '/', 5),
      };
    })
    .name('q22');
