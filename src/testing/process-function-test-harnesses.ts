/**
 * One-line harnesses for user functions (Flink's `ProcessFunctionTestHarnesses`).
 *
 * @module
 */
import type { DataStream } from '../api/data-stream.ts';
import type {
  CoProcessFunction,
  KeyedCoProcessFunction,
} from '../core/functions/co-process-function.ts';
import type { FilterFn, FilterFunction } from '../core/functions/filter-function.ts';
import type { FlatMapFn, FlatMapFunction } from '../core/functions/flat-map-function.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { MapFn, MapFunction } from '../core/functions/map-function.ts';
import type {
  KeyedProcessFunction,
  ProcessFn,
  ProcessFunction,
} from '../core/functions/process-function.ts';
import type { ReduceFunction } from '../core/functions/reduce-function.ts';
import { KeyedOneInputHarness } from './keyed-one-input-harness.ts';
import { KeyedTwoInputHarness } from './keyed-two-input-harness.ts';
import { OneInputHarness } from './one-input-harness.ts';
import type { HarnessOptions } from './operator-harness.ts';
import { TwoInputHarness } from './two-input-harness.ts';

/**
 * Harnesses for a user function, without writing the stream around it. Each returns a harness
 * running the same operator a job would run for that function.
 *
 * @example
 * ```ts
 * const h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new BotTagEnrichment(), (e) => e.user);
 * h.processElement({ user: 'u1', ts: 1 }, 1);
 * h.processWatermark(10_000);
 * assert.deepEqual(h.output(), [...]);
 * ```
 */
export const ProcessFunctionTestHarnesses = {
  /** A harness for a map function on a non-keyed stream. */
  forMap<I, O>(fn: MapFn<I, O> | MapFunction<I, O>, options?: HarnessOptions) {
    return OneInputHarness.of((s: DataStream<I>) => s.map(fn), options);
  },

  /** A harness for a filter function on a non-keyed stream. */
  forFilter<T>(fn: FilterFn<T> | FilterFunction<T>, options?: HarnessOptions) {
    return OneInputHarness.of((s: DataStream<T>) => s.filter(fn), options);
  },

  /** A harness for a flatMap function on a non-keyed stream. */
  forFlatMap<I, O>(fn: FlatMapFn<I, O> | FlatMapFunction<I, O>, options?: HarnessOptions) {
    return OneInputHarness.of((s: DataStream<I>) => s.flatMap(fn), options);
  },

  /** A harness for a ProcessFunction on a non-keyed stream. */
  forProcessFunction<I, O>(fn: ProcessFn<I, O> | ProcessFunction<I, O>, options?: HarnessOptions) {
    return OneInputHarness.of((s: DataStream<I>) => s.process(fn), options);
  },

  /** A harness for a KeyedProcessFunction: keyed state and timers of the key of each record. */
  forKeyedProcessFunction<K, I, O>(
    fn: ProcessFn<I, O, K> | KeyedProcessFunction<K, I, O>,
    keySelector: KeySelector<I, K>,
    options?: HarnessOptions,
  ) {
    return KeyedOneInputHarness.of(keySelector, (k) => k.process(fn), options);
  },

  /** A harness for a map function on a keyed stream (it may use keyed state). */
  forKeyedMap<K, I, O>(
    fn: MapFn<I, O, K> | MapFunction<I, O, K>,
    keySelector: KeySelector<I, K>,
    options?: HarnessOptions,
  ) {
    return KeyedOneInputHarness.of(keySelector, (k) => k.map(fn), options);
  },

  /** A harness for a filter function on a keyed stream (it may use keyed state). */
  forKeyedFilter<K, T>(
    fn: FilterFn<T, K> | FilterFunction<T, K>,
    keySelector: KeySelector<T, K>,
    options?: HarnessOptions,
  ) {
    return KeyedOneInputHarness.of(keySelector, (k) => k.filter(fn), options);
  },

  /** A harness for a flatMap function on a keyed stream (it may use keyed state). */
  forKeyedFlatMap<K, I, O>(
    fn: FlatMapFn<I, O, K> | FlatMapFunction<I, O, K>,
    keySelector: KeySelector<I, K>,
    options?: HarnessOptions,
  ) {
    return KeyedOneInputHarness.of(keySelector, (k) => k.flatMap(fn), options);
  },

  /** A harness for a rolling reduce per key. */
  forReduce<K, T>(fn: ReduceFunction<T>, keySelector: KeySelector<T, K>, options?: HarnessOptions) {
    return KeyedOneInputHarness.of(keySelector, (k) => k.reduce(fn), options);
  },

  /** A harness for a CoProcessFunction over two non-keyed streams. */
  forCoProcessFunction<I1, I2, O>(fn: CoProcessFunction<I1, I2, O>, options?: HarnessOptions) {
    return TwoInputHarness.of(
      (a: DataStream<I1>, b: DataStream<I2>) => a.connect(b).process(fn),
      options,
    );
  },

  /** A harness for a KeyedCoProcessFunction over two streams connected on the same key. */
  forKeyedCoProcessFunction<K, I1, I2, O>(
    fn: KeyedCoProcessFunction<K, I1, I2, O>,
    key1: KeySelector<I1, K>,
    key2: KeySelector<I2, K>,
    options?: HarnessOptions,
  ) {
    return KeyedTwoInputHarness.of(key1, key2, (c) => c.process<O>(fn), options);
  },
};
