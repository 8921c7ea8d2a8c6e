import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JavaRandom } from './java-random.ts';
import { nextPrice, priceOf } from './price.ts';

/** The defining formula (NX `price()`; Java's `Math.round(StrictMath.pow(10, 6u) * 100)`). */
function reference(u: number): number {
  return Math.round(Math.pow(10, u * 6) * 100);
}

test('nextPrice equals round(10^(6u)·100) for 10^6 draws of the generator random', () => {
  const a = new JavaRandom(20151);
  const b = new JavaRandom(20151);
  for (let i = 0; i < 1_000_000; i++) {
    const got = nextPrice(a);
    const want = reference(b.nextDouble());
    if (got !== want) assert.fail(`draw ${i}: ${got} !== ${want}`);
  }
});

test('property: prices whose exact value lies near a half round as the exact formula does', () => {
  // u where 10^(6u)·100 = p + 0.5 for a price p, moved by a few ulps either way: the cases where
  // a fast approximation could round the other way.
  fc.assert(
    fc.property(
      fc.integer({ min: 100, max: 99_999_998 }),
      fc.integer({ min: -64, max: 64 }),
      (p, ulps) => {
        const u0 = Math.log10((p + 0.5) / 100) / 6;
        const u = u0 + ulps * Number.EPSILON * u0;
        if (!(u >= 0 && u < 1)) return;
        assert.equal(priceOf(u), reference(u), `u = ${u}`);
      },
    ),
    { numRuns: 20_000 },
  );
});

test('property: any double in [0, 1) prices as the exact formula does', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
      assert.equal(priceOf(u), reference(u));
    }),
    { numRuns: 100_000 },
  );
});
