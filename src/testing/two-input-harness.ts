/**
 * Harness for one non-keyed two-input operator (Flink's `TwoInputStreamOperatorTestHarness`).
 *
 * @module
 */
import type { DataStream } from '../api/data-stream.ts';
import { userError } from '../errors/eddy-error.ts';
import { planHarnessOperator } from './harness-plan.ts';
import { OperatorHarness, type HarnessOptions } from './operator-harness.ts';

/**
 * Drives one operator over two connected non-keyed streams (CoProcessFunction) synchronously.
 * Watermarks per input combine by minimum, as in a job. Flink's name:
 * `TwoInputStreamOperatorTestHarness`.
 *
 * @example
 * ```ts
 * const h = TwoInputHarness.of((a: DataStream<number>, b: DataStream<string>) =>
 *   a.connect(b).process({
 *     processElement1: (n, _ctx, out) => out.collect(`n:${n}`),
 *     processElement2: (s, _ctx, out) => out.collect(`s:${s}`),
 *   }),
 * );
 * h.processElement1(1);
 * h.processElement2('x');
 * assert.deepEqual(h.output(), ['n:1', 's:x']);
 * ```
 */
export class TwoInputHarness<IN1, IN2, OUT> extends OperatorHarness<OUT> {
  /** A harness for the two-input operator `build` applies to its two input streams. */
  static of<IN1, IN2, OUT>(
    build: (first: DataStream<IN1>, second: DataStream<IN2>) => DataStream<OUT>,
    options: HarnessOptions = {},
  ): TwoInputHarness<IN1, IN2, OUT> {
    const plan = planHarnessOperator(2, build, options);
    if (plan.node.keyed) {
      throw userError('INVALID_ARGUMENT', 'this operator is keyed; use KeyedTwoInputHarness', {
        operator: plan.node,
      });
    }
    return new TwoInputHarness<IN1, IN2, OUT>(plan, options);
  }

  /** Processes a record of the first input. */
  processElement1(value: IN1, timestamp?: number): void {
    this.pushElement(0, value, timestamp);
  }

  /** Processes a record of the second input. */
  processElement2(value: IN2, timestamp?: number): void {
    this.pushElement(1, value, timestamp);
  }

  /** A watermark on the first input (the operator's watermark is the minimum of both). */
  processWatermark1(watermark: number): void {
    this.pushWatermark(0, watermark);
  }

  /** A watermark on the second input (the operator's watermark is the minimum of both). */
  processWatermark2(watermark: number): void {
    this.pushWatermark(1, watermark);
  }

  /** The same watermark on both inputs. */
  processWatermark(watermark: number): void {
    this.pushWatermark(undefined, watermark);
  }
}
