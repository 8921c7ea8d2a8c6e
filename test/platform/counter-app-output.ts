/**
 * Reading what `fixtures/counter-app.ts` committed: its lines `{k, n, v}`, and the checks every
 * platform test makes of them — no line twice (exactly once), no count missing (no loss), and
 * counts that continue across versions.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { committedLines, duplicates } from '../recovery/counter-output.ts';

/** The properties `eddy package` builds the counter's plan with (each application sets its own). */
export const COUNTER_PROPS: readonly string[] = ['counter.out=/tmp/eddy-counter-app-package'];

/** One committed line. */
export interface CountLine {
  readonly k: string;
  readonly n: number;
  readonly v: string;
}

/** The committed lines under `out`. */
export function countLines(out: string): CountLine[] {
  return committedLines(out).map((l) => JSON.parse(l) as CountLine);
}

/**
 * Asserts that no key's count was committed twice and that every key's counts run 1, 2, …, max
 * without a gap; returns the lines per key, ordered by count.
 */
export function assertExactlyOnce(lines: readonly CountLine[]): Map<string, CountLine[]> {
  const dups = duplicates(lines.map((l) => `${l.k}#${l.n}`));
  assert.deepEqual(dups.slice(0, 10), [], `${dups.length} counts committed twice`);
  const byKey = new Map<string, CountLine[]>();
  for (const l of lines) {
    let list = byKey.get(l.k);
    if (list === undefined) byKey.set(l.k, (list = []));
    list.push(l);
  }
  for (const [k, list] of byKey) {
    list.sort((a, b) => a.n - b.n);
    list.forEach((l, i) =>
      assert.equal(l.n, i + 1, `key ${k}: count ${i + 1} is missing (found ${l.n})`),
    );
  }
  return byKey;
}

/** Asserts that within each key, every line of version `before` precedes every line of `after`. */
export function assertVersionsInOrder(
  byKey: Map<string, CountLine[]>,
  before: string,
  after: string,
): void {
  for (const [k, list] of byKey) {
    const lastBefore = list.findLastIndex((l) => l.v === before);
    const firstAfter = list.findIndex((l) => l.v === after);
    if (lastBefore >= 0 && firstAfter >= 0)
      assert.ok(lastBefore < firstAfter, `key ${k}: version ${before} wrote after ${after}`);
  }
}
