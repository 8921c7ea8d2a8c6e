import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EddyError,
  OutputTag,
  ValueStateDescriptor,
  type KeyedProcessFunction,
} from '../../index.ts';
import { KeyedOneInputHarness, ProcessFunctionTestHarnesses } from '../../testing/index.ts';

const rejected = new OutputTag<number>('rejected');

test('process emits to main and side outputs, with the current timestamp', () => {
  const h = ProcessFunctionTestHarnesses.forProcessFunction((n: number, ctx, out) => {
    if (n < 0) ctx.output(rejected, n);
    else out.collect(n * 10);
    assert.equal(ctx.timestamp(), n === 1 ? 100 : undefined);
  });
  h.processElement(1, 100);
  h.processElement(-1);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 10, timestamp: 100 }]);
  assert.deepEqual(h.sideOutput(rejected), [-1]);
});

test('non-keyed process sees the watermark but cannot register timers', () => {
  const h = ProcessFunctionTestHarnesses.forProcessFunction((n: number, ctx, out) => {
    out.collect(ctx.timerService().currentWatermark());
    if (n === 2) ctx.timerService().registerEventTimeTimer(5);
  });
  h.processWatermark(42);
  h.processElement(1);
  assert.deepEqual(h.output(), [42]);
  assert.deepEqual(h.watermarks(), [42]);
  assert.throws(
    () => h.processElement(2),
    (e: unknown) => e instanceof EddyError && e.code === 'NOT_KEYED',
  );
});

/** Emits the count of a key when its session has been quiet for 10 (event time) or 100 (processing time). */
const count = new ValueStateDescriptor<number>('count');
const lastSeen = new ValueStateDescriptor<number>('last-seen');
class QuietDetector implements KeyedProcessFunction<string, { key: string }, string> {
  processElement(
    _e: { key: string },
    ctx: Parameters<KeyedProcessFunction<string, { key: string }, string>['processElement']>[1],
  ): void {
    const c = ctx.getState(count);
    c.update((c.value() ?? 0) + 1);
    const ts = ctx.timestamp() ?? 0;
    const last = ctx.getState(lastSeen);
    const previous = last.value();
    if (previous !== undefined) ctx.timerService().deleteEventTimeTimer(previous + 10);
    last.update(ts);
    ctx.timerService().registerEventTimeTimer(ts + 10);
    ctx
      .timerService()
      .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 100);
  }
  onTimer(
    t: number,
    ctx: Parameters<
      NonNullable<KeyedProcessFunction<string, { key: string }, string>['onTimer']>
    >[1],
    out: { collect(v: string): void },
  ): void {
    out.collect(
      `${ctx.getCurrentKey()}:${ctx.getState(count).value() ?? 0}@${t}/${ctx.timeDomain()}`,
    );
    if (ctx.timeDomain() === 'EVENT_TIME') ctx.getState(count).clear();
  }
}

test('keyed process: state per key, event-time timers fire on watermarks in order', () => {
  const h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new QuietDetector(), (e) => e.key);
  h.processElement({ key: 'a' }, 1);
  h.processElement({ key: 'b' }, 2);
  h.processElement({ key: 'a' }, 5);
  assert.deepEqual(
    h.timers().eventTime.map((t) => [t.key, t.timestamp]),
    [
      ['b', 12],
      ['a', 15],
    ],
    'the first timer of "a" was deleted',
  );
  h.processWatermark(12);
  assert.deepEqual(h.output(), ['b:1@12/EVENT_TIME']);
  assert.equal(h.state(count, 'b'), undefined);
  assert.equal(h.state(count, 'a'), 2);
  h.processWatermark(20);
  assert.deepEqual(h.output(), ['b:1@12/EVENT_TIME', 'a:2@15/EVENT_TIME']);
  assert.equal(h.timers().eventTime.length, 0);
});

test('keyed process: processing-time timers fire when the harness clock reaches them', () => {
  const h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
    new QuietDetector(),
    (e) => e.key,
    {
      processingTime: 1_000,
    },
  );
  h.processElement({ key: 'a' }, 1);
  h.setProcessingTime(1_050);
  h.processElement({ key: 'b' }, 2);
  h.setProcessingTime(1_099);
  assert.deepEqual(h.output(), []);
  h.setProcessingTime(1_100);
  assert.deepEqual(h.output(), ['a:1@1100/PROCESSING_TIME']);
  h.setProcessingTime(2_000);
  assert.deepEqual(h.output(), ['a:1@1100/PROCESSING_TIME', 'b:1@1150/PROCESSING_TIME']);
});

test('keyed process: snapshot and restore carry state and timers to a new instance', () => {
  const h = KeyedOneInputHarness.of(
    (e: { key: string }) => e.key,
    (k) => k.process(new QuietDetector()),
  );
  h.processElement({ key: 'a' }, 1);
  h.processElement({ key: 'a' }, 3);
  const snapshot = h.snapshot();

  const restored = KeyedOneInputHarness.of(
    (e: { key: string }) => e.key,
    (k) => k.process(new QuietDetector()),
  );
  restored.restore(snapshot);
  assert.equal(restored.state(count, 'a'), 2);
  assert.deepEqual(restored.timers().eventTime, [{ key: 'a', timestamp: 13 }]);
  restored.processWatermark(13);
  assert.deepEqual(restored.output(), ['a:2@13/EVENT_TIME']);
});
