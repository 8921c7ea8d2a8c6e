/** Scalar functions the queries share (mirrors the helpers in the Flink baseline's Queries.java). */
import type { Bid } from '../generator/events.ts';

export const DAY_MS = 86_400_000;

/** 'dayTime' for UTC hour 8–18, 'nightTime' for ≤ 6 or ≥ 20, otherwise 'otherTime' (q14). */
export function bidTimeType(dateTime: number): string {
  // No `%`: V8 compiles `%` of a double (the hours since 1970 are not a small integer to it) as
  // a call to C's fmod.
  const hours = Math.floor(dateTime / 3_600_000);
  const hour = hours - Math.floor(hours / 24) * 24;
  if (hour >= 8 && hour <= 18) return 'dayTime';
  if (hour <= 6 || hour >= 20) return 'nightTime';
  return 'otherTime';
}

/** Occurrences of the character `c` in `s` (q14's `count_char`). */
export function countChar(s: string, c: string): number {
  // `indexOf` from match to match, not `charCodeAt` per character: the extras are slices of one
  // 1 MiB string, and V8 reads a slice's characters one call at a time (a 67-character extra:
  // ~210 ns by character, ~65 ns by search).
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/** Flink SQL's `SPLIT_INDEX(s, sep, index)` (empty tokens kept); null when out of range. */
export function splitIndex(s: string, sep: string, index: number): string | null {
  let start = 0;
  for (let i = 0; i < index; i++) {
    const at = s.indexOf(sep, start);
    if (at < 0) return null;
    start = at + sep.length;
  }
  const end = s.indexOf(sep, start);
  return end < 0 ? s.substring(start) : s.substring(start, end);
}

/** `DATE_FORMAT(dateTime, 'yyyy-MM-dd')` in UTC. */
export function dayString(dateTime: number): string {
  return new Date(Math.floor(dateTime / DAY_MS) * DAY_MS).toISOString().substring(0, 10);
}

/** Price band of q15/q17: 1 below 10^4, 2 below 10^6, otherwise 3. */
export function band(price: number): 1 | 2 | 3 {
  return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** q18's order: by (dateTime, price, extra); the greatest bid is the "last" one. */
export function compareLast(a: Bid, b: Bid): number {
  if (a.dateTime !== b.dateTime) return a.dateTime < b.dateTime ? -1 : 1;
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  return compareStrings(a.extra, b.extra);
}

/** q19's rank order: price desc, then dateTime, bidder, extra asc; negative when `a` ranks first. */
export function compareRank(a: Bid, b: Bid): number {
  if (a.price !== b.price) return a.price > b.price ? -1 : 1;
  if (a.dateTime !== b.dateTime) return a.dateTime < b.dateTime ? -1 : 1;
  if (a.bidder !== b.bidder) return a.bidder < b.bidder ? -1 : 1;
  return compareStrings(a.extra, b.extra);
}
