import assert from 'node:assert/strict';
import { test } from 'node:test';
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
