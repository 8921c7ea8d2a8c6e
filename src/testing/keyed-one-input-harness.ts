/**
 * Harness for one keyed one-input operator (Flink's `KeyedOneInputStreamOperatorTestHarness`).
 *
 * @module
 */
import type { DataStream } from '../api/data-stream.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { KeyedStream } from '../api/keyed-stream.ts';
import { userError } from '../errors/eddy-error.ts';
import { planHarnessOperator } from './harness-plan.ts';
import { OperatorHarness, type HarnessOptions } from './operator-harness.ts';

/**
 * Drives one operator on a keyed stream — KeyedProcessFunction, keyed map/filter/flatMap,
 * reduce, window operators, any keyed operator kind — with keyed state and timers, synchronously.
 * Read state with `state(descriptor, key)`, pending timers with `timers()`; take a snapshot and
 * restore it into a fresh harness. Flink's name: `KeyedOneInputStreamOperatorTestHarness`.
 *
 * @example
 * ```ts
 * const count = new ValueStateDescriptor<number>('count');
 * const h = KeyedOneInputHarness.of(
 *   (e: { user: string }) => e.user,
 *   (keyed) =>
 *     keyed.map((e, ctx) => {
 *       const s = ctx.getState(count);
 *       s.update((s.value() ?? 0) + 1);
 *       return e.user;
 *     }),
 * );
 * h.processElement({ user: 'a' });
 * h.processElement({ user: 'a' });
 * assert.equal(h.state(count, 'a'), 2);
 * ```
 */
export class KeyedOneInputHarness<K, IN, OUT> extends OperatorHarness<OUT, K> {
  /**
   * A harness for the keyed operator `build` applies to the input keyed by `keySelector`.
   * `build` must apply exactly one operator and return its stream.
   */
  static of<K, IN, OUT>(
    keySelector: KeySelector<IN, K>,
    build: (keyed: KeyedStream<K, IN>) => DataStream<OUT>,
    options?: HarnessOptions,
  ): KeyedOneInputHarness<K, IN, OUT>;
  /** A harness for the keyed operator `build` applies to its input (`build` calls keyBy itself). */
  static of<K, IN, OUT>(
    build: (input: DataStream<IN>) => DataStream<OUT>,
    options?: HarnessOptions,
  ): KeyedOneInputHarness<K, IN, OUT>;
  static of<K, IN, OUT>(
    first: KeySelector<IN, K> | ((input: DataStream<IN>) => DataStream<OUT>),
    second?: ((keyed: KeyedStream<K, IN>) => DataStream<OUT>) | HarnessOptions,
    third: HarnessOptions = {},
  ): KeyedOneInputHarness<K, IN, OUT> {
    const options = typeof second === 'function' ? third : (second ?? {});
    const build =
      typeof second === 'function'
        ? (input: DataStream<IN>) => second(input.keyBy(first as KeySelector<IN, K>))
        : (first as (input: DataStream<IN>) => DataStream<OUT>);
    const plan = planHarnessOperator(1, build, options);
    if (!plan.node.keyed) {
      throw userError('INVALID_ARGUMENT', 'this operator is not keyed; use OneInputHarness', {
        operator: plan.node,
        hint: 'or call keyBy(...) before the operator in the build function',
      });
    }
    return new KeyedOneInputHarness<K, IN, OUT>(plan, options);
  }

  /** Processes one record (its key comes from the key selector), with an event timestamp if given. */
  processElement(value: IN, timestamp?: number): void {
    this.pushElement(0, value, timestamp);
  }

  /** Processes records one after the other (all with `timestamp`, if given). */
  processElements(values: Iterable<IN>, timestamp?: number): void {
    for (const v of values) this.pushElement(0, v, timestamp);
  }

  /** Processes a watermark: event-time timers up to it fire, then it is forwarded. */
  processWatermark(watermark: number): void {
    this.pushWatermark(undefined, watermark);
  }
}
