import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitIndex } from './helpers.ts';

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
