import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { partitionByKeyRange } from './key-range-partition.ts';

/** Keys as the LMDB backend makes them, and adversarial ones. */
const key = fc.oneof(
  fc.nat({ max: 10_000_000 }).map((n) => `count\u0000n${n}`),
  fc.string({ maxLength: 12 }).map((s) => `user-000${s}`),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('a\u007fz', 'a\u0100b', 'a\u0200a', 'a\u007e', 'a', ''),
);

test('groups are a permutation of the batch, in ascending key ranges that do not overlap, of bounded size', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(key, { maxLength: 400 }),
      fc.integer({ min: 1, max: 40 }),
      (keys, chunk) => {
        const items = keys.map((k, i) => ({ k, i }));
        const { items: out, ends } = partitionByKeyRange(items, keys, chunk);
        assert.deepEqual(
          out.map((x) => x.i).sort((a, b) => a - b),
          items.map((x) => x.i),
        );
        assert.equal(ends.at(-1) ?? 0, keys.length);
        let from = 0;
        let previousMax: string | undefined;
        for (const end of ends) {
          assert.ok(end > from, 'groups are not empty');
          assert.ok(end - from <= 3 * chunk, `group of ${end - from} for chunk ${chunk}`);
          const group = out.slice(from, end).map((x) => x.k);
          const min = group.reduce((a, b) => (b < a ? b : a));
          const max = group.reduce((a, b) => (b > a ? b : a));
          if (previousMax !== undefined)
            assert.ok(previousMax < min, `${JSON.stringify(previousMax)} < ${JSON.stringify(min)}`);
          previousMax = max;
          from = end;
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('keys alike in their first units are still split into sorted groups by range', () => {
  // Two families that differ only in their first unit: two order numbers for 5 000 keys.
  const keys = Array.from(
    { length: 5000 },
    (_, i) => `${i % 2 === 0 ? 'a' : 'b'}${'x'.repeat(20)}${(i * 7919) % 5000}`,
  );
  const { items, ends } = partitionByKeyRange(keys, keys, 100);
  assert.equal(ends.length, 50);
  let from = 0;
  for (const end of ends) {
    const group = items.slice(from, end);
    assert.deepEqual(group, [...group].sort(), 'a split bucket is sorted');
    from = end;
  }
});

test('units from 127 up tie rather than let the units after them invert the order', () => {
  // By string order every 'a\u0100…' key comes before every 'a\u0200…' key, whatever follows.
  const keys = Array.from({ length: 400 }, (_, i) =>
    i % 2 === 0 ? `a\u0100z${i}` : `a\u0200b${i}`,
  );
  const { items, ends } = partitionByKeyRange(keys, keys, 10);
  const lastLow = Math.max(...keys.filter((k) => k < 'a\u0200').map((k) => items.indexOf(k)));
  const firstHigh = Math.min(...keys.filter((k) => k > 'a\u0200').map((k) => items.indexOf(k)));
  assert.ok(lastLow < firstHigh, `low keys end at ${lastLow}, high keys start at ${firstHigh}`);
  assert.ok(ends.length > 1);
});
