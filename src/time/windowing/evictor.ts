/**
 * Evictors (Flink's `Evictor`): remove records from a window's contents when it fires, before
 * and/or after the window function runs. A window with an evictor keeps every record (with its
 * timestamp) until it fires, so reduce and aggregate functions are applied at firing time, to
 * what the evictor kept — as in Flink's `EvictingWindowOperator`.
 *
 * @module
 */
import type { Window } from '../../core/window.ts';

/** A record of a window with its event timestamp (`NaN` when it has none). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number;
}

/** What an evictor may ask while it runs. */
export interface EvictorContext {
  /** The operator's processing time. */
  currentProcessingTime(): number;
  /** The operator's event-time watermark. */
  currentWatermark(): number;
}

/**
 * Decides which records of a firing window stay. Each method receives the window's records in
 * arrival order and returns those to keep (never changing the array it was given); leaving a
 * method out keeps everything.
 *
 * @example
 * ```ts
 * // Keep only records above a threshold when the window fires.
 * const aboveTen: Evictor<{ value: number }> = {
 *   evictBefore: (records) => records.filter((r) => r.value.value > 10),
 * };
 * keyed.window(TumblingEventTimeWindows.of('1m')).evictor(aboveTen).process(summarize);
 * ```
 */
export interface Evictor<T, W extends Window = Window> {
  /** Records to keep before the window function runs. */
  evictBefore?(
    records: readonly TimestampedValue<T>[],
    window: W,
    ctx: EvictorContext,
  ): readonly TimestampedValue<T>[];
  /** Records to keep after the window function ran (they stay for the next firing). */
  evictAfter?(
    records: readonly TimestampedValue<T>[],
    window: W,
    ctx: EvictorContext,
  ): readonly TimestampedValue<T>[];
  /** A plain-data description for the plan. */
  describe?(): Readonly<Record<string, unknown>>;
}
