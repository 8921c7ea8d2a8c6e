/**
 * Harness for one keyed two-input operator (Flink's `KeyedTwoInputStreamOperatorTestHarness`).
 *
 * @module
 */
import type { ConnectedStreams } from '../api/connected-streams.ts';
import type { DataStream } from '../api/data-stream.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import { userError } from '../errors/eddy-error.ts';
import { planHarnessOperator } from './harness-plan.ts';
import { OperatorHarness, type HarnessOptions } from './operator-harness.ts';

/**
 * Drives one operator over two streams connected on the same key (KeyedCoProcessFunction,
 * joins): keyed state and timers shared by both inputs, synchronously. Flink's name:
 * `KeyedTwoInputStreamOperatorTestHarness`.
 *
 * @example
 * ```ts
 * const h = KeyedTwoInputHarness.of(
 *   (o: Order) => o.id,
 *   (p: Payment) => p.orderId,
 *   (connected) => connected.process(matchPayments),
 * );
 * h.processElement1({ id: 'o1', total: 5 });
 * h.processElement2({ orderId: 'o1', amount: 5 });
 * ```
 */
export class KeyedTwoInputHarness<K, IN1, IN2, OUT> extends OperatorHarness<OUT, K> {
  /** A harness for the keyed two-input operator `build` applies to the inputs keyed by `key1`/`key2`. */
  static of<K, IN1, IN2, OUT>(
    key1: KeySelector<IN1, K>,
    key2: KeySelector<IN2, K>,
    build: (connected: ConnectedStreams<IN1, IN2, K>) => DataStream<OUT>,
    options: HarnessOptions = {},
  ): KeyedTwoInputHarness<K, IN1, IN2, OUT> {
    const plan = planHarnessOperator(
      2,
      (a: DataStream<IN1>, b: DataStream<IN2>) => build(a.connect(b).keyBy(key1, key2)),
      options,
    );
    if (!plan.node.keyed) {
      throw userError('INVALID_ARGUMENT', 'this operator is not keyed; use TwoInputHarness', {
        operator: plan.node,
      });
    }
    return new KeyedTwoInputHarness<K, IN1, IN2, OUT>(plan, options);
  }

  /** Processes a record of the first input (keyed by `key1`). */
  processElement1(value: IN1, timestamp?: number): void {
    this.pushElement(0, value, timestamp);
  }

  /** Processes a record of the second input (keyed by `key2`). */
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
