import type { JavaRandom } from './java-random.ts';

/** `price() = round(10^(6·nextDouble()) · 100)`: log-uniform over [100, 10^8). */
export function nextPrice(random: JavaRandom): number {
  return Math.round(Math.pow(10, random.nextDouble() * 6) * 100);
}
