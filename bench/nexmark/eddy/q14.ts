/** q14 calculation: bids with 10^6 < 0.908·price < 5·10^7, with time-of-day type and 'c' count. */
import { decimalString } from '../canonical.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { NexmarkEvent } from '../generator/events.ts';
import { bidTimeType, countChar } from '../loop/helpers.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q14: EddyQuery = (events) =>
  events
    .flatMap<CanonicalRecord>((e: NexmarkEvent, out) => {
      const b = e.bid;
      if (b === null) return;
      const milli = b.price * 908;
      if (milli <= 1_000_000_000 || milli >= 50_000_000_000) return;
      out.collect({
        auction: b.auction,
        bidder: b.bidder,
        price: decimalString(milli, 3),
        bidTimeType: bidTimeType(b.dateTime),
        dateTime: b.dateTime,
        extra: b.extra,
        c_counts: countChar(b.extra, 'c'),
      } satisfies CanonicalRecord);
    })
    .name('q14');
