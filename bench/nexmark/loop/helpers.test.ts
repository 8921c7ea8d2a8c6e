import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bidTimeType, countChar, splitIndex } from './helpers.ts';

test('property: splitIndex is the index-th token of split(sep), empty tokens kept, else null', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('/', 'a', 'b', ':'), maxLength: 12 }),
      fc.constantFrom('/', ':/'),
      fc.nat(6),
      (s, sep, index) => {
        assert.equal(splitIndex(s, sep, index), s.split(sep)[index] ?? null);
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: bidTimeType follows the UTC hour of the bid', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (dateTime) => {
      const hour = new Date(dateTime).getUTCHours();
      const expected =
        hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
      assert.equal(bidTimeType(dateTime), expected);
    }),
  );
});

test('property: countChar counts every occurrence of the character, in whole strings and slices', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('c', 'cc', 'a', 'b'), maxLength: 40 }),
      fc.nat(20),
      (whole, from) => {
        // The generator's extras are slices of a longer string: count in one too.
        const s = whole.substring(Math.min(from, whole.length));
        assert.equal(countChar(s, 'c'), [...s].filter((ch) => ch === 'c').length);
      },
    ),
    { numRuns: 2000 },
  );
});
