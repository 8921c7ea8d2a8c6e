import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JavaRandom } from './java-random.ts';
import { nextString } from './strings.ts';

/** NX's `nextString` written plainly (one character appended per draw, then `trim`). */
function referenceNextString(random: JavaRandom, maxLength: number, space: string): string {
  const len = 3 + random.nextIntBounded(maxLength - 3);
  let s = '';
  for (let i = 0; i < len; i++) {
    s +=
      random.nextIntBounded(13) === 0 ? space : String.fromCharCode(97 + random.nextIntBounded(26));
  }
  return space === ' ' ? s.trim() : s;
}

test('property: nextString equals the plain NX algorithm and leaves the random in step', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.constantFrom(4, 5, 7, 20, 100),
      fc.constantFrom(' ', '_'),
      fc.integer({ min: 1, max: 30 }),
      (seed, max, space, count) => {
        const a = new JavaRandom(seed);
        const b = new JavaRandom(seed);
        for (let i = 0; i < count; i++) {
          assert.equal(nextString(a, max, space), referenceNextString(b, max, space));
        }
        assert.equal(a.nextInt(), b.nextInt());
      },
    ),
    { numRuns: 1000 },
  );
});
