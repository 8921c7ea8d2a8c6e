/**
 * Compares two canonical output files of one query as multisets (see canonical.ts):
 *
 *   node --import tsx bench/nexmark/compare.ts qN A.jsonl B.jsonl
 *
 * Prints one JSON line {query, equal, a, b, onlyInA, onlyInB} and exits 1 when they differ.
 */
import { readFileSync } from 'node:fs';
import { comparableLines } from './canonical.ts';

const [query, fileA, fileB] = process.argv.slice(2);
if (query === undefined || fileA === undefined || fileB === undefined) {
  throw new Error('usage: compare.ts qN A.jsonl B.jsonl');
}
const read = (f: string): string[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const a = comparableLines(query, read(fileA));
const b = comparableLines(query, read(fileB));
const counts = new Map<string, number>();
for (const l of a) counts.set(l, (counts.get(l) ?? 0) + 1);
for (const l of b) counts.set(l, (counts.get(l) ?? 0) - 1);
const onlyInA: string[] = [];
const onlyInB: string[] = [];
for (const [l, c] of counts) {
  for (let i = 0; i < c; i++) onlyInA.push(l);
  for (let i = 0; i < -c; i++) onlyInB.push(l);
}
const equal = onlyInA.length === 0 && onlyInB.length === 0;
console.log(
  JSON.stringify({
    query,
    equal,
    a: a.length,
    b: b.length,
    onlyInA: onlyInA.slice(0, 3),
    onlyInB: onlyInB.slice(0, 3),
  }),
);
process.exitCode = equal ? 0 : 1;
