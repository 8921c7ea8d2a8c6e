import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DataStream } from '../api/data-stream.ts';
import { EddyError } from '../errors/eddy-error.ts';
import { OutputTag, ValueStateDescriptor } from '../index.ts';
import {
  KeyedOneInputHarness,
  ManualClock,
  OneInputHarness,
  ProcessFunctionTestHarnesses,
} from './index.ts';

describe('ManualClock', { concurrency: true }, () => {
  test('runs scheduled work in time order with now() at each scheduled time', () => {
    const clock = new ManualClock(10);
    const seen: string[] = [];
    clock.schedule(30, () => seen.push(`b@${clock.now()}`));
    clock.schedule(20, () => {
      seen.push(`a@${clock.now()}`);
      clock.schedule(25, () => seen.push(`a2@${clock.now()}`));
    });
    const cancel = clock.schedule(22, () => seen.push('cancelled'));
    cancel();
    clock.advanceTo(40);
    assert.deepEqual(seen, ['a@20', 'a2@25', 'b@30']);
    assert.equal(clock.now(), 40);
    assert.equal(clock.pending, 0);
  });

  test('refuses to go backwards', () => {
    const clock = new ManualClock(5);
    assert.throws(() => clock.advanceTo(4), /cannot go backwards/);
  });
});

describe('harness construction', { concurrency: true }, () => {
  test('rejects a build function that chains two operators, naming them', () => {
    assert.throws(
      () =>
        OneInputHarness.of((s: DataStream<number>) =>
          s
            .map(function double(x) {
              return x * 2;
            })
            .filter(function positive(x) {
              return x > 0;
            }),
        ),
      (e: unknown) =>
        e instanceof EddyError &&
        /double → positive/.test(e.message) &&
        /runPipeline/.test(e.message),
    );
  });

  test('rejects a keyed operator in a non-keyed harness and vice versa', () => {
    assert.throws(
      () => OneInputHarness.of((s: DataStream<number>) => s.keyBy((x) => x).map((x) => x)),
      /KeyedOneInputHarness/,
    );
    assert.throws(
      () => KeyedOneInputHarness.of((s: DataStream<number>) => s.map((x) => x)),
      /not keyed/,
    );
  });

  test('the generic keyed form accepts a build function that calls keyBy itself', () => {
    const h = KeyedOneInputHarness.of<number, number, number>((s: DataStream<number>) =>
      s.keyBy((x) => x % 2).reduce((a, b) => a + b),
    );
    h.processElements([1, 2, 3]);
    assert.deepEqual(h.output(), [1, 2, 4]);
  });
});

describe('harness lifecycle', { concurrency: true }, () => {
  test('opens synchronously when open() returns no promise', () => {
    let opened = 0;
    const h = ProcessFunctionTestHarnesses.forMap({
      open() {
        opened++;
      },
      map: (x: number) => x + 1,
    });
    h.processElement(1);
    h.processElement(2);
    assert.equal(opened, 1);
    assert.deepEqual(h.output(), [2, 3]);
  });

  test('asks for await open() when open() is async', async () => {
    let ready = false;
    const h = ProcessFunctionTestHarnesses.forMap({
      async open() {
        await Promise.resolve();
        ready = true;
      },
      map: (x: number) => (ready ? x : -1),
    });
    assert.throws(() => h.processElement(1), /await harness\.open\(\)/);
    await h.open();
    h.processElement(1);
    assert.deepEqual(h.output(), [1]);
  });

  test('user errors surface as EddyError naming the operator', () => {
    const h = ProcessFunctionTestHarnesses.forMap(function explode(_x: number): number {
      throw new Error('boom');
    });
    assert.throws(
      () => h.processElement(1),
      (e: unknown) =>
        e instanceof EddyError &&
        e.code === 'USER_FUNCTION_FAILED' &&
        e.operator?.name === 'explode',
    );
  });

  test('restore() after the first element is refused', () => {
    const h = ProcessFunctionTestHarnesses.forKeyedMap(
      (x: number) => x,
      (x) => x,
    );
    const snap = h.snapshot();
    h.processElement(1);
    assert.throws(() => h.restore(snap), /before the first element/);
  });
});

describe('harness outputs, state and metrics', { concurrency: true }, () => {
  test('captures undeclared side outputs, timestamps and watermarks', () => {
    const odd = new OutputTag<number>('odd');
    const h = ProcessFunctionTestHarnesses.forProcessFunction((x: number, ctx, out) => {
      if (x % 2 === 1) ctx.output(odd, x);
      else out.collect(x);
    });
    h.processElement(1, 100);
    h.processElement(2, 200);
    h.processWatermark(150);
    assert.deepEqual(h.outputWithTimestamps(), [{ value: 2, timestamp: 200 }]);
    assert.deepEqual(h.sideOutputWithTimestamps(odd), [{ value: 1, timestamp: 100 }]);
    assert.deepEqual(h.watermarks(), [150]);
    h.clearOutput();
    assert.deepEqual(h.output(), []);
    assert.deepEqual(h.sideOutput(odd), []);
  });

  test('metrics() lists user metrics, including child groups, next to built-ins', () => {
    const h = ProcessFunctionTestHarnesses.forFilter((x: number, ctx) => {
      ctx.metrics.counter('seen').inc();
      ctx.metrics
        .addGroup('parity', x % 2 === 0 ? 'even' : 'odd')
        .counter('by_parity')
        .inc();
      ctx.metrics.histogram('sizes').observe(x);
      return x > 1;
    });
    h.processElements([1, 2, 3]);
    const m = h.metrics();
    assert.equal(m['seen'], 3);
    assert.equal(m['by_parity{parity="odd"}'], 2);
    assert.equal(m['records_in'], 3);
    assert.equal(m['records_out'], 2);
    assert.deepEqual(m['sizes'], { count: 3, sum: 6, min: 1, max: 3, p50: 2, p95: 3, p99: 3 });
  });

  test('state() on a non-keyed harness explains why it cannot work', () => {
    const h = ProcessFunctionTestHarnesses.forMap((x: number) => x);
    assert.throws(
      () => h.state(new ValueStateDescriptor<number>('x'), undefined),
      (e: unknown) => e instanceof EddyError && e.code === 'NOT_KEYED',
    );
  });

  test('snapshot() refuses state that a checkpoint could not hold', () => {
    const fnState = new ValueStateDescriptor<() => void>('fn');
    const h = ProcessFunctionTestHarnesses.forKeyedMap(
      (x: number, ctx) => {
        ctx.getState(fnState).update(() => {});
        return x;
      },
      (x) => x,
    );
    h.processElement(1);
    assert.throws(
      () => h.snapshot(),
      (e: unknown) => e instanceof EddyError && e.code === 'NOT_SERIALIZABLE',
    );
  });
});
