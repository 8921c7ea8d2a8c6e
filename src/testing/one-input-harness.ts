/**
 * Harness for one non-keyed one-input operator (Flink's `OneInputStreamOperatorTestHarness`).
 *
 * @module
 */
import type { DataStream } from '../api/data-stream.ts';
import { userError } from '../errors/eddy-error.ts';
import { planHarnessOperator } from './harness-plan.ts';
import { OperatorHarness, type HarnessOptions } from './operator-harness.ts';

/**
 * Drives one operator on a non-keyed stream — map, filter, flatMap, process, or any one-input
 * operator kind — synchronously: push records and watermarks, move processing time, read what
 * it emitted. The operator is built with the real DataStream API, so it is exactly the one a job
 * would run. Flink's name: `OneInputStreamOperatorTestHarness`.
 *
 * @example
 * ```ts
 * const h = OneInputHarness.of((input: DataStream<string>) => input.map((s) => s.length));
 * h.processElement('abc', 10);
 * assert.deepEqual(h.output(), [3]);
 * assert.deepEqual(h.outputWithTimestamps(), [{ value: 3, timestamp: 10 }]);
 * ```
 */
export class OneInputHarness<IN, OUT> extends OperatorHarness<OUT> {
  /**
   * A harness for the operator `build` applies to its input stream. `build` must apply exactly
   * one operator and return its stream.
   */
  static of<IN, OUT>(
    build: (input: DataStream<IN>) => DataStream<OUT>,
    options: HarnessOptions = {},
  ): OneInputHarness<IN, OUT> {
    const plan = planHarnessOperator(1, build, options);
    if (plan.node.keyed) {
      throw userError('INVALID_ARGUMENT', 'this operator is keyed; use KeyedOneInputHarness', {
        operator: plan.node,
        hint: 'KeyedOneInputHarness.of(keySelector, (keyed) => keyed.process(fn))',
      });
    }
    return new OneInputHarness<IN, OUT>(plan, options);
  }

  /** Processes one record, with an event timestamp if given. */
  processElement(value: IN, timestamp?: number): void {
    this.pushElement(0, value, timestamp);
  }

  /** Processes records one after the other (all with `timestamp`, if given). */
  processElements(values: Iterable<IN>, timestamp?: number): void {
    for (const v of values) this.pushElement(0, v, timestamp);
  }

  /** Processes a watermark: event time advances to `watermark`. */
  processWatermark(watermark: number): void {
    this.pushWatermark(undefined, watermark);
  }
}
