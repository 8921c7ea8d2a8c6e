/**
 * The canonical serialization used to compare the query outputs of Eddy, the hand-written loop
 * baseline and Flink (and the generator's golden file): one JSON object per line, keys sorted by
 * UTF-16 code units (ASCII order for our names) at every level, no whitespace, numbers only as
 * safe integers, strings escaped as `JSON.stringify` does. Exact decimals (Flink's DECIMAL, e.g.
 * q1's `0.908·price`) are strings with a fixed number of fraction digits ({@link decimalString}).
 * The Java twin is `Canonical.java` in bench/baselines/flink.
 */
import type { NexmarkEvent } from './generator/events.ts';

/** A value the canonical form can hold. */
export type CanonicalValue =
  | number
  | string
  | boolean
  | null
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

/** A query output record: a flat or nested object of canonical values. */
export type CanonicalRecord = { readonly [key: string]: CanonicalValue };

/** Serializes `value` canonically (sorted keys, integer numbers). Throws on non-integer numbers. */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly CanonicalValue[]).map(canonicalJson).join(',')}]`;
  }
  const obj = value as { readonly [key: string]: CanonicalValue };
  const keys = Object.keys(obj).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) s += ',';
    s += `${JSON.stringify(k)}:${canonicalJson(obj[k] as CanonicalValue)}`;
  }
  return `${s}}`;
}

/** "000" … "999": the fraction digits of a decimal with scale 3. */
const THOUSANDTHS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  String(i).padStart(3, '0'),
);

/**
 * The exact decimal `units / 10^scale` as a string with `scale` fraction digits, e.g.
 * `decimalString(90800, 3) === '90.800'`. `units` must be a safe integer.
 */
export function decimalString(units: number, scale: number): string {
  if (scale === 3 && units >= 0) {
    // q1 and q14 (prices·0.908): one number-to-string conversion and a table read instead of
    // two conversions and a pad.
    const whole = Math.floor(units / 1000);
    return `${whole}.${THOUSANDTHS[units - whole * 1000] as string}`;
  }
  const neg = units < 0;
  const abs = Math.abs(units);
  const div = 10 ** scale;
  const whole = Math.floor(abs / div);
  const frac = String(abs - whole * div).padStart(scale, '0');
  return `${neg ? '-' : ''}${whole}${scale > 0 ? `.${frac}` : ''}`;
}

/**
 * An event in canonical form: `{"dateTime":…,"type":0|1|2,"person"|"auction"|"bid":{…}}` with only
 * the non-null sub-row present. Used by the generator's golden file.
 */
export function canonicalEvent(event: NexmarkEvent): string {
  const record: { [key: string]: CanonicalValue } = { type: event.type, dateTime: event.dateTime };
  if (event.person !== null) record['person'] = { ...event.person };
  if (event.auction !== null) record['auction'] = { ...event.auction };
  if (event.bid !== null) record['bid'] = { ...event.bid };
  return canonicalJson(record);
}

/** Canonical lines of `records`, sorted: the form in which two outputs are compared as multisets. */
export function canonicalLines(records: Iterable<CanonicalRecord>): string[] {
  const lines: string[] = [];
  for (const r of records) lines.push(canonicalJson(r));
  return lines.sort();
}

/**
 * The lines to compare for `query`, sorted. Every query compares its records as they are, except
 * q12, whose processing-time windows depend on timing: it compares per-bidder totals of
 * `bid_count` (`{"bid_count":…,"bidder":…}`), which do not.
 */
export function comparableLines(query: string, lines: readonly string[]): string[] {
  if (query !== 'q12') return [...lines].sort();
  const totals = new Map<number, number>();
  for (const line of lines) {
    const r = JSON.parse(line) as { bidder: number; bid_count: number };
    totals.set(r.bidder, (totals.get(r.bidder) ?? 0) + r.bid_count);
  }
  const out: string[] = [];
  for (const [bidder, count] of totals) out.push(canonicalJson({ bidder, bid_count: count }));
  return out.sort();
}
