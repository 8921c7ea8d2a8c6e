import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JavaRandom } from './java-random.ts';

// Expected values printed by java.util.Random on OpenJDK 17 (see bench/nexmark/README.md).
test('matches java.util.Random draw for draw', () => {
  const r = new JavaRandom(123456789);
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    got.push(
      [
        r.nextInt(),
        r.nextIntBounded(1 + ((i * 7919) % 100000)),
        r.nextIntBounded(64),
        r.nextDouble(),
        r.nextLongBig(),
        Math.round(Math.pow(10, r.nextDouble() * 6) * 100),
        Math.round(Math.pow(10, r.nextDouble() * 6) * 100),
      ].join(' '),
    );
  }
  assert.deepEqual(got, [
    '-1442945365 0 29 0.2548696158901823 3995501164684771738 35722 38550',
    '2105985923 6264 1 0.4871982258300084 2115867195944107995 3112 4428',
    '-1872816220 14383 12 0.9478468521662674 -7445907587313273074 4083 80334',
  ]);
});

test('re-seeding restarts the sequence', () => {
  const r = new JavaRandom(42);
  const a = [r.nextInt(), r.nextInt(), r.nextIntBounded(1000)];
  r.setSeed(42);
  assert.deepEqual([r.nextInt(), r.nextInt(), r.nextIntBounded(1000)], a);
});

test('bounded draws stay in range', () => {
  const r = new JavaRandom(7);
  for (const bound of [1, 2, 3, 13, 26, 1000, 10_000, 0x40000000, 0x7fffffff]) {
    for (let i = 0; i < 200; i++) {
      const v = r.nextIntBounded(bound);
      assert.ok(v >= 0 && v < bound, `${v} not in [0, ${bound})`);
    }
  }
});

/** java.util.Random with BigInt: the brute-force reference (48-bit LCG as the JDK writes it). */
class ReferenceRandom {
  private seed: bigint;
  constructor(seed: number) {
    this.seed = (BigInt(seed) ^ 0x5deece66dn) & ((1n << 48n) - 1n);
  }
  next(bits: number): number {
    this.seed = (this.seed * 0x5deece66dn + 0xbn) & ((1n << 48n) - 1n);
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }
  nextInt(bound: number): number {
    let r = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
    for (let u = r; u - (r = u % bound) + m > 0x7fffffff; u = this.next(31));
    return r;
  }
  nextDouble(): number {
    return Number((BigInt(this.next(26)) << 27n) + BigInt(this.next(27))) * 2 ** -53;
  }
}

test('property: every draw equals a BigInt java.util.Random (next, nextInt(bound), nextDouble)', () => {
  const draw = fc.oneof(
    fc.record({ kind: fc.constant('next' as const), n: fc.integer({ min: 1, max: 32 }) }),
    fc.record({
      kind: fc.constant('bounded' as const),
      n: fc.integer({ min: 1, max: 0x7fffffff }),
    }),
    fc.record({ kind: fc.constant('bounded' as const), n: fc.constantFrom(2, 13, 26, 1 << 30) }),
    fc.record({ kind: fc.constant('double' as const), n: fc.constant(0) }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.array(draw, { maxLength: 60 }),
      (seed, draws) => {
        const a = new JavaRandom(seed);
        const b = new ReferenceRandom(seed);
        for (const d of draws) {
          if (d.kind === 'next') assert.equal(a.next(d.n), b.next(d.n));
          else if (d.kind === 'bounded') assert.equal(a.nextIntBounded(d.n), b.nextInt(d.n));
          else assert.equal(a.nextDouble(), b.nextDouble());
        }
      },
    ),
    { numRuns: 2000 },
  );
});
