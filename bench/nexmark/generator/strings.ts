/**
 * Random strings (the Nexmark spec §1.5, NX `StringsGenerator`).
 */
import { JavaRandom } from './java-random.ts';

const MIN_STRING_LENGTH = 3;
/** Length of the precomputed random text that extras are cut from (NX: 1 MiB). */
export const EXTRA_CACHE_LENGTH = 1 << 20;
/** Seed of the precomputed extra text: the ASCII of "NEXM". */
export const EXTRA_CACHE_SEED = 0x4e45584d;

/**
 * Bytes of the string being built (NX strings are at most 100 ASCII characters). A Buffer of its
 * own (not from the pool), decoded as latin1: cheaper than `String.fromCharCode.apply` on a
 * typed-array view, which allocated the view and went through the generic array-like path of
 * `apply` (~110 ns per string, measured; nextString was 15 % of the loop's q0 time).
 */
const codes = Buffer.allocUnsafeSlow(128);
const SPACE = 32;
const A = 97;

/**
 * `nextString(max, sp)`: `len = 3 + rand(max − 3)` characters, each `sp` with probability 1/13,
 * otherwise `'a' + rand(26)`; the result is trimmed of leading and trailing spaces (Java `trim`).
 * The characters go into a reused byte buffer and become one string at the end: appending them one
 * by one made a string per character, the generator's largest cost.
 */
export function nextString(random: JavaRandom, maxLength: number, space = ' '): string {
  const len = MIN_STRING_LENGTH + random.nextIntBounded(maxLength - MIN_STRING_LENGTH);
  const sp = space.charCodeAt(0);
  for (let i = 0; i < len; i++) {
    codes[i] = random.nextIntBounded(13) === 0 ? sp : A + random.nextIntBounded(26);
  }
  let start = 0;
  let end = len;
  if (sp === SPACE) {
    while (start < end && codes[start] === SPACE) start++;
    while (end > start && codes[end - 1] === SPACE) end--;
  }
  return codes.toString('latin1', start, end);
}

let extraCache: string | undefined;

/**
 * The 1 MiB text extras are cut from: `'a' + nextInt(26)` per character from
 * `java.util.Random(EXTRA_CACHE_SEED)`. Built once, on first use.
 */
export function extraCache1MiB(): string {
  if (extraCache !== undefined) return extraCache;
  const random = new JavaRandom(EXTRA_CACHE_SEED);
  const codes = new Uint8Array(EXTRA_CACHE_LENGTH);
  for (let i = 0; i < EXTRA_CACHE_LENGTH; i++) codes[i] = 97 + random.nextIntBounded(26);
  extraCache = Buffer.from(codes.buffer).toString('latin1');
  return extraCache;
}

/**
 * `nextExtra(cur, avg)`: "" when `cur > avg`; otherwise `d = avg − cur`, `δ = round(0.2·d)` and a
 * string of exactly `d − δ + (δ = 0 ? 0 : rand(2δ))` characters cut at offset `rand(2^20 − size)`
 * from {@link extraCache1MiB} (NX's approach).
 */
export function nextExtra(
  random: JavaRandom,
  currentSize: number,
  desiredAverageSize: number,
): string {
  if (currentSize > desiredAverageSize) return '';
  const d = desiredAverageSize - currentSize;
  const delta = Math.round(d * 0.2);
  const size = d - delta + (delta === 0 ? 0 : random.nextIntBounded(2 * delta));
  const cache = extraCache1MiB();
  const offset = random.nextIntBounded(EXTRA_CACHE_LENGTH - size);
  return cache.substring(offset, offset + size);
}
