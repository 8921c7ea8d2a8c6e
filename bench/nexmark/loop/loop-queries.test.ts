import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { CanonicalRecord } from '../canonical.ts';
import { canonicalJson, comparableLines } from '../canonical.ts';
import { createConfig } from '../generator/generator-config.ts';
import { InterleavedGenerator } from '../generator/interleaved-generator.ts';
import { QUERY_NAMES, loopQueries } from './index.ts';

interface Golden {
  readonly events: number;
  readonly parallelism: number;
  readonly queries: Readonly<Record<string, { readonly count: number; readonly sha256: string }>>;
}

// Digests of the Flink baseline's outputs (bench/baselines/flink, see the README), so the loop
// baselines are checked against Flink without running Java.
const golden = JSON.parse(
  readFileSync(new URL('flink-golden-20k-p2.json', import.meta.url), 'utf8'),
) as Golden;

for (const query of QUERY_NAMES) {
  test(`${query} equals the Flink baseline's output as a multiset`, () => {
    const expected = golden.queries[query];
    assert.ok(expected, `no golden digest for ${query}`);
    const source = new InterleavedGenerator(
      createConfig({ events: golden.events }),
      golden.parallelism,
    );
    const records: CanonicalRecord[] = [];
    loopQueries[query](source, (r) => records.push(r));
    const lines = comparableLines(query, records.map(canonicalJson));
    assert.equal(lines.length, expected.count);
    assert.equal(createHash('sha256').update(lines.join('\n')).digest('hex'), expected.sha256);
  });
}
