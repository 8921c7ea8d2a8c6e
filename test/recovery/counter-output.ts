/**
 * Reading the committed output of `fixtures/counter-job.ts` and comparing it with what an
 * uninterrupted run commits.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The number of distinct keys of the job. */
export const KEYS = 13;

/** The committed (visible) lines of the part files in `out`, sorted. */
export function committedLines(out: string): string[] {
  if (!existsSync(out)) return [];
  const lines: string[] = [];
  for (const f of readdirSync(out).filter((f) => !f.startsWith('.'))) {
    for (const l of readFileSync(join(out, f), 'utf8').split('\n')) if (l !== '') lines.push(l);
  }
  return lines.sort();
}

/** The lines an uninterrupted run over `records` records commits, sorted. */
export function expectedLines(records: number): string[] {
  const lines: string[] = [];
  for (let key = 0; key < KEYS; key++) {
    const n = key < records ? Math.floor((records - 1 - key) / KEYS) + 1 : 0;
    for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ k: `k${key}`, n: i }));
  }
  return lines.sort();
}

/** Lines that occur more than once. */
export function duplicates(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const l of lines) {
    if (seen.has(l)) dups.push(l);
    seen.add(l);
  }
  return dups;
}
