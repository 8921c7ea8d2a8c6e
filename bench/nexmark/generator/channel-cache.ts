/**
 * Bid channels and their URLs (the Nexmark spec §1.5 "Channel and URL", NX `BidGenerator` /
 * `ChannelCache`). NX builds these with unseeded randomness at class load; here each URL draws
 * from its own `java.util.Random`, so they are fixed for all runs and both implementations.
 */
import { JavaRandom } from './java-random.ts';
import { nextString } from './strings.ts';

export const HOT_CHANNELS_RATIO = 2;
export const CHANNELS_NUMBER = 10_000;
/** The four hot channels, picked with probability 1/2 (then uniformly). */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** Seed base of the URL randoms: the ASCII of "CHNL". Channel c uses seed base + c. */
export const CHANNEL_URL_SEED = 0x43484e4c;

/** A random seeded with {@link JavaRandom.reseed} (one discarded draw). */
function seeded(seed: number): JavaRandom {
  const random = new JavaRandom(0);
  random.reseed(seed);
  return random;
}

/** `https://www.nexmark.com/<s>/<s>/<s>/item.htm?query=1` with `s = nextString(5, '_')`. */
function baseUrl(random: JavaRandom): string {
  const a = nextString(random, 5, '_');
  const b = nextString(random, 5, '_');
  const c = nextString(random, 5, '_');
  return `https://www.nexmark.com/${a}/${b}/${c}/item.htm?query=1`;
}

/** Java's `Integer.reverse`: the 32 bits of `i` in reverse order, as a signed int. */
export function reverseInt32(i: number): number {
  let v = i | 0;
  let r = 0;
  for (let b = 0; b < 32; b++) {
    r = (r << 1) | (v & 1);
    v >>>= 1;
  }
  return r | 0;
}

/** Java's `Math.abs(int)`: `Math.abs(Integer.MIN_VALUE)` stays negative. */
function absInt32(i: number): number {
  return Math.abs(i) | 0;
}

/** URLs of the hot channels: base URLs from `reseed(CHANNEL_URL_SEED + 10000 + i)`. */
export const HOT_URLS: readonly string[] = HOT_CHANNELS.map((_, i) =>
  baseUrl(seeded(CHANNEL_URL_SEED + CHANNELS_NUMBER + i)),
);

const channelNames: (string | undefined)[] = new Array<string | undefined>(CHANNELS_NUMBER);
const channelUrls: (string | undefined)[] = new Array<string | undefined>(CHANNELS_NUMBER);

/** The name of cold channel `c`: `"channel-c"`. */
export function channelName(c: number): string {
  let name = channelNames[c];
  if (name === undefined) {
    name = `channel-${c}`;
    channelNames[c] = name;
  }
  return name;
}

/**
 * The URL of cold channel `c`: a base URL from `reseed(CHANNEL_URL_SEED + c)`, then with
 * probability 9/10 (`nextInt(10) > 0` on the same random) `&channel_id=|Integer.reverse(c)|`.
 */
export function channelUrl(c: number): string {
  let url = channelUrls[c];
  if (url === undefined) {
    const random = seeded(CHANNEL_URL_SEED + c);
    url = baseUrl(random);
    if (random.nextIntBounded(10) > 0) url += `&channel_id=${absInt32(reverseInt32(c))}`;
    channelUrls[c] = url;
  }
  return url;
}
