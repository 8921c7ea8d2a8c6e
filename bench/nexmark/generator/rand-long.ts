import type { JavaRandom } from './java-random.ts';

const INT_MAX = 0x7fffffff;

/**
 * Nexmark's `nextLong(random, n)`: `nextInt(n)` if n < 2^31−1, otherwise `|nextLong() mod n|`
 * (Java's signed remainder). `n` must be a positive safe integer.
 */
export function randLong(random: JavaRandom, n: number): number {
  if (n < INT_MAX) return random.nextIntBounded(n);
  const r = random.nextLongBig() % BigInt(n);
  return Number(r < 0n ? -r : r);
}
