// Every code sample of docs/guides/coming-from-flink.md lives here and runs with the test suite;
// the last test checks that the guide still shows exactly this code (imports aside).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEnvironment } from '../../src/index.ts';
import {
  CollectionSource,
  ValueStateDescriptor,
  type Collector,
  type Context,
  type KeyedProcessFunction,
  type OnTimerContext,
  type Source,
  type ValueState,
} from '../../src/index.ts';
import { ProcessFunctionTestHarnesses, runPipeline } from '../../src/testing/index.ts';
import { guideSamplesMissingFrom } from '../support/guide-samples.ts';

export interface Transaction {
  readonly accountId: number;
  readonly amount: number;
}

export interface Alert {
  readonly accountId: number;
}

const SMALL_AMOUNT = 1.0;
const LARGE_AMOUNT = 500.0;
const ONE_MINUTE = 60 * 1000;

export class FraudDetector implements KeyedProcessFunction<number, Transaction, Alert> {
  private flag!: ValueState<boolean>;
  private timer!: ValueState<number>;

  open(ctx: Context<number>): void {
    this.flag = ctx.getState(new ValueStateDescriptor<boolean>('flag'));
    this.timer = ctx.getState(new ValueStateDescriptor<number>('timer-state'));
  }

  processElement(tx: Transaction, ctx: Context<number>, out: Collector<Alert>): void {
    if (this.flag.value() === true) {
      if (tx.amount > LARGE_AMOUNT) out.collect({ accountId: tx.accountId });
      this.cleanUp(ctx);
    }
    if (tx.amount < SMALL_AMOUNT) {
      this.flag.update(true);
      const timer = ctx.timerService().currentProcessingTime() + ONE_MINUTE;
      ctx.timerService().registerProcessingTimeTimer(timer);
      this.timer.update(timer);
    }
  }

  onTimer(_timestamp: number, _ctx: OnTimerContext<number>, _out: Collector<Alert>): void {
    this.flag.clear();
    this.timer.clear();
  }

  private cleanUp(ctx: Context<number>): void {
    const timer = this.timer.value();
    if (timer !== undefined) ctx.timerService().deleteProcessingTimeTimer(timer);
    this.timer.clear();
    this.flag.clear();
  }
}

export function buildFraudDetectionJob(
  env: StreamEnvironment,
  transactions: Source<Transaction>,
): void {
  env
    .fromSource(transactions, undefined, 'transactions')
    .keyBy((tx) => tx.accountId)
    .process(new FraudDetector())
    .name('fraud-detector')
    .print('alerts');
}

test('a small then a large transaction within a minute raises an alert', () => {
  const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
    new FraudDetector(),
    (tx: Transaction) => tx.accountId,
  );
  harness.setProcessingTime(0);
  harness.processElement({ accountId: 1, amount: 0.5 });
  harness.processElement({ accountId: 1, amount: 600 });
  assert.deepEqual(harness.output(), [{ accountId: 1 }]);

  // A minute later the small transaction no longer counts.
  harness.processElement({ accountId: 2, amount: 0.5 });
  harness.setProcessingTime(ONE_MINUTE);
  harness.processElement({ accountId: 2, amount: 600 });
  assert.deepEqual(harness.output(), [{ accountId: 1 }]);
});

test('the fraud detection job alerts end to end', async () => {
  const { sink } = await runPipeline(
    (env) => buildFraudDetectionJob(env, new CollectionSource<Transaction>([])),
    {
      sources: {
        transactions: [
          { accountId: 7, amount: 0.2 },
          { accountId: 8, amount: 50 },
          { accountId: 7, amount: 900 },
          { accountId: 8, amount: 900 },
        ],
      },
    },
  );
  assert.deepEqual(sink<Alert>('print(alerts)'), [{ accountId: 7 }]);
});

test('every code sample of docs/guides/coming-from-flink.md is in this file', () => {
  const { samples, missing } = guideSamplesMissingFrom(
    new URL('../../docs/guides/coming-from-flink.md', import.meta.url),
    new URL(import.meta.url),
  );
  assert.equal(samples, 3, 'the guide has three code samples');
  assert.deepEqual(missing, [], 'guide samples not found in this file');
});
