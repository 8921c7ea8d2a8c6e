/**
 * The form pending timers take in a checkpoint file: columns instead of one object per timer.
 * `v8.serialize` writes every property name of every object again, so 1.8 M window timers took
 * 1.1 s and 112 MB per checkpoint as objects, and 0.1–0.2 s and 9–16 MB as columns (numbers in
 * one array, timestamps run-length encoded — the timers of a window job share a few timestamps).
 * Timers stay on the heap between checkpoints (as Flink's `HEAP` timer service with RocksDB),
 * so each checkpoint writes all of them: this keeps that cheap.
 *
 * Only the file form changes: {@link toTimerColumns} at encoding, {@link fromTimerColumns} at
 * decoding; files with timers as objects (written before this form) still read.
 *
 * @module
 */
import type { TimerEntry } from '../timers/internal-timer-service.ts';

/** The timers of one time domain as columns; index i of each column is timer i. */
export interface TimerColumns {
  /** Distinct timestamps in the order of the timers, each once per run of equal ones. */
  readonly times: readonly number[];
  /** How many consecutive timers have `times[r]`. */
  readonly runs: readonly number[];
  /** The normalized keys. */
  readonly keys: readonly unknown[];
  /** Pairs of (index, raw key) for the timers whose raw key is not their normalized key. */
  readonly rawKeys: readonly unknown[];
  /** The namespaces, or absent when no timer has one. */
  readonly namespaces?: readonly (string | number | undefined)[];
}

/** The columns of `entries` (grouped by timestamp for a short `times` column). */
export function toTimerColumns(entries: readonly TimerEntry[]): TimerColumns {
  const n = entries.length;
  const times: number[] = [];
  const runs: number[] = [];
  const keys = new Array<unknown>(n);
  const rawKeys: unknown[] = [];
  let namespaces: (string | number | undefined)[] | undefined;
  let last = Number.NaN;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i] as TimerEntry;
    // Object.is: -0 is not 0 (and NaN, which a timer never has, would be one run).
    if (run > 0 && Object.is(e.timestamp, last)) run++;
    else {
      if (run > 0) runs.push(run);
      times.push((last = e.timestamp));
      run = 1;
    }
    keys[i] = e.key;
    if (!Object.is(e.rawKey, e.key)) rawKeys.push(i, e.rawKey);
    if (e.namespace !== undefined) (namespaces ??= new Array(n).fill(undefined))[i] = e.namespace;
  }
  if (run > 0) runs.push(run);
  return namespaces === undefined
    ? { times, runs, keys, rawKeys }
    : { times, runs, keys, rawKeys, namespaces };
}

/**
 * The timers of {@link toTimerColumns}'s columns. Throws `Error` with what is wrong when the
 * columns do not fit together (a file written by hand or by another version).
 */
export function fromTimerColumns(c: TimerColumns): TimerEntry[] {
  const n = c.keys.length;
  const { times, runs, rawKeys, namespaces } = c;
  if (times.length !== runs.length) throw new Error('times and runs differ in length');
  if (namespaces !== undefined && namespaces.length !== n)
    throw new Error(`${namespaces.length} namespaces for ${n} timers`);
  if (rawKeys.length % 2 !== 0) throw new Error('rawKeys is not a list of (index, key) pairs');
  const raws = new Map<number, unknown>();
  for (let i = 0; i < rawKeys.length; i += 2) raws.set(rawKeys[i] as number, rawKeys[i + 1]);
  const out = new Array<TimerEntry>(n);
  let i = 0;
  for (let r = 0; r < times.length; r++) {
    const timestamp = times[r];
    const run = runs[r];
    if (typeof timestamp !== 'number' || typeof run !== 'number' || !(run > 0))
      throw new Error(`run ${r} has no timestamp or no length`);
    if (i + run > n) throw new Error(`the runs hold more than the ${n} timers`);
    for (const end = i + run; i < end; i++) {
      const key = c.keys[i];
      out[i] = {
        key,
        rawKey: raws.has(i) ? raws.get(i) : key,
        namespace: namespaces?.[i],
        timestamp,
      };
    }
  }
  if (i !== n) throw new Error(`the runs hold ${i} of the ${n} timers`);
  return out;
}
