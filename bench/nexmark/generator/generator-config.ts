/**
 * Generator configuration and its split for parallel generation (the Nexmark spec §1.2–1.4,
 * NX `GeneratorConfig`).
 */

/** 2015-07-15T00:00:00Z, BEAM's fixed base time: event times never depend on the wall clock. */
export const DEFAULT_BASE_TIME = 1436918400000;
/** NX default `first-event.rate` (events per second of event time, summed over generators). */
export const DEFAULT_EVENTS_PER_SECOND = 10_000;

/** The configuration of one generator (one split). */
export interface GeneratorConfig {
  /** Event time of event number 0, epoch ms. Shared by all splits. */
  readonly baseTime: number;
  /** Added to the adjusted event number to form the event id. */
  readonly firstEventId: number;
  /** Number of events this generator emits. */
  readonly maxEvents: number;
  /** Event number of the first event (shared by all splits: they run on parallel timelines). */
  readonly firstEventNumber: number;
  /** `first-event.rate`: events per second over all generators. */
  readonly eventsPerSecond: number;
  /** `numEventGenerators` (= the job parallelism P); widens the per-generator inter-event delay. */
  readonly numGenerators: number;
  /** Random seed in [0, 65535]; each event draws from `java.util.Random(seed·2^32 + eventId)`
   * after one discarded draw. */
  readonly seed: number;
}

/** Options of {@link createConfig}. */
export interface ConfigOptions {
  /** Total number of events (`events.num`). */
  readonly events: number;
  readonly eventsPerSecond?: number;
  readonly seed?: number;
  readonly baseTime?: number;
}

/** Builds the unsplit configuration `(baseTime, firstEventId = 1, maxEvents = N, firstEventNumber = 1)`. */
export function createConfig(options: ConfigOptions): GeneratorConfig {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) {
    throw new RangeError(`seed must be an integer in [0, 65535]: ${seed}`);
  }
  if (!Number.isSafeInteger(options.events) || options.events < 0) {
    throw new RangeError(`events must be a non-negative integer: ${options.events}`);
  }
  return {
    baseTime: options.baseTime ?? DEFAULT_BASE_TIME,
    firstEventId: 1,
    maxEvents: options.events,
    firstEventNumber: 1,
    eventsPerSecond: options.eventsPerSecond ?? DEFAULT_EVENTS_PER_SECOND,
    numGenerators: 1,
    seed,
  };
}

/**
 * Splits a configuration for `parallelism` generators: generator i gets
 * `firstEventId = firstEventId + i·⌊N/P⌋` and `maxEvents = ⌊N/P⌋`, the last one the remainder.
 * All splits share `baseTime` and `firstEventNumber`, and their `numGenerators` becomes P.
 */
export function splitConfig(config: GeneratorConfig, parallelism: number): GeneratorConfig[] {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`parallelism must be a positive integer: ${parallelism}`);
  }
  const per = Math.floor(config.maxEvents / parallelism);
  const out: GeneratorConfig[] = [];
  let firstEventId = config.firstEventId;
  for (let i = 0; i < parallelism; i++) {
    const maxEvents = i === parallelism - 1 ? config.maxEvents - per * (parallelism - 1) : per;
    out.push({ ...config, firstEventId, maxEvents, numGenerators: parallelism });
    firstEventId += maxEvents;
  }
  return out;
}

/** `interEventDelayUs = 1e6 / firstEventRate × numEventGenerators` (a double, as in NX). */
export function interEventDelayUs(config: GeneratorConfig): number {
  return (1_000_000 / config.eventsPerSecond) * config.numGenerators;
}

/** `ts(num) = baseTime + ⌊num·delayUs⌋ / 1000` (integer division), in epoch ms. */
export function timestampForEventNumber(
  baseTime: number,
  delayUs: number,
  eventNumber: number,
): number {
  return baseTime + Math.floor(Math.floor(eventNumber * delayUs) / 1000);
}
