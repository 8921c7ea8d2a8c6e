import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bidTimeType, splitIndex } from './helpers.ts';

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
