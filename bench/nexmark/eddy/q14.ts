/** q14 calculation: bids with 10^6 < 0.908·price < 5·10^7, with time-of-day type and 'c' count. */
import { decimalString } from '../canonical.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import { bidTimeType, countChar } from '../loop/helpers.ts';
import type { EddyQuery } from './eddy-query.ts';

/** The SQL's `WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`, in thousandths. */
function inBand(e: NexmarkEvent): boolean {
  const b = e.bid;
  if (b === null) return false;
  const milli = b.price * 908;
  return milli > 1_000_000_000 && milli < 50_000_000_000;
}

// A filter and a map, as the SQL's WHERE and SELECT: a record that only a map makes stays in
// calls V8 inlines, through to a chained sink (a flatMap's collector is one call level more).
export const q14: EddyQuery = (events) =>
  events
    .filter(inBand)
    .name('q14 band')
    .map<CanonicalRecord>((e: NexmarkEvent) => {
      const b = e.bid as Bid;
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: decimalString(b.price * 908, 3),
        bidTimeType: bidTimeType(b.dateTime),
        dateTime: b.dateTime,
        extra: b.extra,
        c_counts: countChar(b.extra, 'c'),
      } satisfies CanonicalRecord;
    })
    .name('q14');
