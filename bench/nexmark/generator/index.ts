/** The Nexmark generator: see bench/nexmark/README.md. */
export type { Auction, Bid, NexmarkEvent, Person } from './events.ts';
export { EventType } from './events.ts';
export type { ConfigOptions, GeneratorConfig } from './generator-config.ts';
export {
  DEFAULT_BASE_TIME,
  DEFAULT_EVENTS_PER_SECOND,
  createConfig,
  interEventDelayUs,
  splitConfig,
  timestampForEventNumber,
} from './generator-config.ts';
export { InterleavedGenerator } from './interleaved-generator.ts';
export { JavaRandom } from './java-random.ts';
export { NexmarkGenerator } from './nexmark-generator.ts';
