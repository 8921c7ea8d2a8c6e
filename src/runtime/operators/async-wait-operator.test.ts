import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ASYNC_FAILURES,
  AsyncDataStream,
  EddyError,
  type AsyncFailure,
  type AsyncWaitOptions,
  type DataStream,
} from '../../index.ts';
import { OneInputHarness, runPipeline } from '../../testing/index.ts';
import type { AsyncWaitOperator } from './async-wait-operator.ts';

/** Lets every pending promise callback run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise the test settles by hand. */
class Deferred<T> {
  resolve!: (v: T) => void;
  reject!: (e: unknown) => void;
  readonly promise = new Promise<T>((res, rej) => {
    this.resolve = res;
    this.reject = rej;
  });
}

/** An async function whose calls the test answers one by one. */
function controlled<I>() {
  const calls: { value: I; d: Deferred<unknown> }[] = [];
  const fn = (value: I) => {
    const d = new Deferred<unknown>();
    calls.push({ value, d });
    return d.promise;
  };
  return { calls, fn };
}

type Mode = 'ordered' | 'unordered';

function harness<I, O>(
  mode: Mode,
  fn: (v: I) => Promise<O> | O,
  options: AsyncWaitOptions<I, O> = {},
) {
  return OneInputHarness.of((input: DataStream<I>) =>
    mode === 'ordered'
      ? AsyncDataStream.orderedWait(input, fn, options)
      : AsyncDataStream.unorderedWait(input, fn, options),
  );
}

const syncFn = (n: number) => n * 3 + 1;

for (const mode of ['ordered', 'unordered'] as const) {
  test(`${mode}: same results as the synchronous function under any completion order (property)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 }),
        fc.infiniteStream(fc.nat()),
        fc.integer({ min: 1, max: 50 }),
        async (input, picks, capacity) => {
          const { calls, fn } = controlled<number>();
          const h = harness(mode, fn, { capacity });
          h.processElements(input);
          const completionOrder: number[] = [];
          const it = picks[Symbol.iterator]();
          const open = new Set<number>();
          for (;;) {
            for (let i = 0; i < calls.length; i++) if (!completionOrder.includes(i)) open.add(i);
            if (open.size === 0) break;
            assert.ok((h.operator as AsyncWaitOperator).inFlight <= capacity);
            const list = [...open];
            const i = list[(it.next().value as number) % list.length] as number;
            open.delete(i);
            completionOrder.push(i);
            const call = calls[i] as { value: number; d: Deferred<unknown> };
            call.d.resolve(syncFn(call.value));
            await tick();
          }
          const expected = input.map(syncFn);
          if (mode === 'ordered') assert.deepEqual(h.output(), expected);
          else {
            // Nothing lost, nothing duplicated; and each result emitted as soon as it arrived.
            assert.deepEqual(
              [...(h.output() as number[])].sort((a, b) => a - b),
              [...expected].sort((a, b) => a - b),
            );
            assert.deepEqual(
              h.output(),
              completionOrder.map((i) => syncFn(calls[i]?.value as number)),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test(`${mode}: watermarks never overtake the records before them (property)`, async () => {
    type Step = { kind: 'record'; ts: number } | { kind: 'watermark' };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant<Step>({ kind: 'watermark' }),
            fc.integer({ min: 1, max: 5 }).map<Step>((ts) => ({ kind: 'record', ts })),
          ),
          { maxLength: 30 },
        ),
        fc.infiniteStream(fc.nat()),
        async (steps, picks) => {
          const { calls, fn } = controlled<number>();
          const h = harness(mode, fn, { capacity: 1000 });
          // Event time only moves forward: each record's timestamp is above every earlier watermark.
          let time = 0;
          let records = 0;
          /** For each watermark, how many records arrived before it. */
          const before = new Map<number, number>();
          for (const s of steps) {
            if (s.kind === 'record') {
              time += s.ts;
              h.processElement(records++, time);
            } else {
              before.set(time, records);
              h.processWatermark(time);
            }
          }
          const it = picks[Symbol.iterator]();
          const open = calls.map((_, i) => i);
          /** The output size when each watermark first appeared. */
          const seenAt = new Map<number, number>();
          const observe = () => {
            for (const w of h.watermarks()) if (!seenAt.has(w)) seenAt.set(w, h.output().length);
          };
          observe();
          while (open.length > 0) {
            const [i] = open.splice((it.next().value as number) % open.length, 1);
            const call = calls[i as number] as { value: number; d: Deferred<unknown> };
            call.d.resolve(call.value);
            await tick();
            observe();
          }
          assert.equal(h.output().length, records);
          // A watermark appears only after every record before it, and records emitted
          // afterwards are never behind it.
          for (const [w, n] of before) {
            if (!seenAt.has(w)) continue; // equal to an earlier watermark: not re-emitted
            assert.ok((seenAt.get(w) as number) >= n, `watermark ${w} overtook a record`);
          }
          const out = h.outputWithTimestamps();
          for (const [w, at] of seenAt) {
            for (const r of out.slice(at)) assert.ok((r.timestamp as number) > w);
          }
          assert.deepEqual(h.watermarks(), [...seenAt.keys()]);
        },
      ),
      { numRuns: 60 },
    );
  });
}

test('unordered: a result behind a watermark waits for the records before it', async () => {
  const { calls, fn } = controlled<string>();
  const h = harness('unordered', fn);
  h.processElement('a', 1);
  h.processElement('b', 2);
  h.processWatermark(2);
  h.processElement('c', 3);
  calls[2]?.d.resolve('C');
  await tick();
  assert.deepEqual(h.output(), []);
  calls[1]?.d.resolve('B');
  await tick();
  assert.deepEqual(h.output(), ['B']);
  assert.deepEqual(h.watermarks(), []);
  calls[0]?.d.resolve('A');
  await tick();
  assert.deepEqual(h.output(), ['B', 'A', 'C']);
  assert.deepEqual(h.watermarks(), [2]);
  assert.deepEqual(
    h.outputWithTimestamps().map((r) => r.timestamp),
    [2, 1, 3],
  );
});

test('a watermark with nothing before it passes at once', () => {
  const h = harness('ordered', (n: number) => Promise.resolve(n));
  h.processWatermark(5);
  assert.deepEqual(h.watermarks(), [5]);
});

test('results returned directly (a cache hit) need no promise', () => {
  const h = harness('ordered', (n: number) => n + 1);
  h.processElements([1, 2, 3]);
  assert.deepEqual(h.output(), [2, 3, 4]);
});

test('a timeout sends the record and a TIMEOUT error to ASYNC_FAILURES and is counted', async () => {
  const { calls, fn } = controlled<string>();
  const h = harness('ordered', fn, { timeout: 100 });
  h.processElement('slow', 7);
  h.setProcessingTime(50);
  h.processElement('fast');
  calls[1]?.d.resolve('FAST');
  await tick();
  assert.deepEqual(h.output(), []); // ordered: waits for 'slow'
  h.setProcessingTime(100);
  await tick();
  assert.deepEqual(h.output(), ['FAST']);
  const [failure] = h.sideOutput(ASYNC_FAILURES) as AsyncFailure<string>[];
  assert.equal(failure?.value, 'slow');
  assert.equal(failure?.timestamp, 7);
  assert.equal(failure?.reason, 'timeout');
  assert.equal(failure?.attempts, 1);
  assert.ok(failure?.error instanceof EddyError && failure.error.code === 'TIMEOUT');
  calls[0]?.d.resolve('too late'); // ignored
  await tick();
  assert.deepEqual(h.output(), ['FAST']);
  const m = h.metrics();
  assert.equal(m['async_timeouts'], 1);
  assert.equal(m['async_failures'], 1);
  assert.equal(m['async_in_flight'], 0);
});

test('a timeout handler gives the result to emit instead', async () => {
  const { fn } = controlled<string>();
  const h = harness('unordered', fn, { timeout: '1s', onTimeout: (v) => `${v}:default` });
  h.processElement('x');
  h.setProcessingTime(1000);
  await tick();
  assert.deepEqual(h.output(), ['x:default']);
  assert.deepEqual(h.sideOutput(ASYNC_FAILURES), []);
});

test('AsyncFunction objects: asyncInvoke and timeout()', async () => {
  const h = OneInputHarness.of((input: DataStream<number>) =>
    AsyncDataStream.orderedWait(
      input,
      {
        asyncInvoke: (n: number) => (n === 0 ? new Promise<number>(() => {}) : Promise.resolve(n)),
        timeout: () => -1,
      },
      { timeout: 10 },
    ),
  );
  h.processElements([1, 0, 2]);
  await tick();
  assert.deepEqual(h.output(), [1]);
  h.setProcessingTime(10);
  await tick();
  assert.deepEqual(h.output(), [1, -1, 2]);
});

test('a failing request lands in ASYNC_FAILURES with the record and the error', async () => {
  const h = harness('unordered', (n: number) =>
    n === 2 ? Promise.reject(new Error('HTTP 503')) : Promise.resolve(n),
  );
  h.processElements([1, 2, 3], 5);
  await tick();
  assert.deepEqual(h.output(), [1, 3]);
  const [f] = h.sideOutput(ASYNC_FAILURES) as AsyncFailure<number>[];
  assert.equal(f?.value, 2);
  assert.equal(f?.reason, 'error');
  assert.ok(f?.error instanceof EddyError && f.error.code === 'USER_FUNCTION_FAILED');
  assert.equal((f?.error.cause as Error).message, 'HTTP 503');
  assert.equal(h.metrics()['async_failures'], 1);
});

test('a synchronous throw fails only its record', () => {
  const h = harness('ordered', (n: number) => {
    if (n === 2) throw new Error('bad input');
    return Promise.resolve(n);
  });
  h.processElements([1, 2, 3]);
  return tick().then(() => {
    assert.deepEqual(h.output(), [1, 3]);
    assert.equal(h.sideOutput(ASYNC_FAILURES).length, 1);
  });
});

test("onFailure: 'fail-job' fails the job with an error naming the operator", async () => {
  await assert.rejects(
    runPipeline(
      (env) => {
        AsyncDataStream.unorderedWait(
          env.fromCollection([1, 2, 3], 'numbers'),
          (n: number) => (n === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(n)),
          { onFailure: 'fail-job' },
        )
          .name('enrich')
          .print();
      },
      { sources: { numbers: [1, 2, 3] } },
    ),
    (e: unknown) => e instanceof EddyError && /operator "enrich".*boom/s.test(e.message),
  );
});

test('retries with exponential backoff on the processing-time clock, then succeed', async () => {
  const attempts: number[] = [];
  const h = OneInputHarness.of(
    (input: DataStream<string>) =>
      AsyncDataStream.orderedWait(
        input,
        function flaky(v: string, ctx) {
          attempts.push(ctx.timerService().currentProcessingTime());
          return attempts.length < 4 ? Promise.reject(new Error('503')) : Promise.resolve(v);
        },
        { timeout: '1m', retry: { maxAttempts: 5, delay: 100, multiplier: 2, maxDelay: 300 } },
      ),
    { processingTime: 1000 },
  );
  h.processElement('a');
  await tick();
  for (const t of [1100, 1300, 1600]) {
    h.setProcessingTime(t - 1);
    await tick();
    h.setProcessingTime(t);
    await tick();
  }
  assert.deepEqual(attempts, [1000, 1100, 1300, 1600]); // delays 100, 200, 300 (capped)
  assert.deepEqual(h.output(), ['a']);
  assert.equal(h.metrics()['async_retries'], 3);
});

test('retry predicates: errors not worth retrying fail at once; results can be retried', async () => {
  let calls = 0;
  const h = harness(
    'ordered',
    (v: string) => {
      calls++;
      if (v === 'fatal') return Promise.reject(new Error('404'));
      return Promise.resolve(calls < 3 ? 'not-ready' : 'ready');
    },
    {
      retry: {
        maxAttempts: 3,
        delay: 0,
        retryOnError: (e) => (e as Error).message !== '404',
        retryOnResult: (r) => r === 'not-ready',
      },
    },
  );
  h.processElement('fatal');
  await tick();
  assert.equal(calls, 1);
  assert.equal((h.sideOutput(ASYNC_FAILURES)[0] as AsyncFailure).attempts, 1);
  h.processElement('x');
  await tick();
  h.setProcessingTime(1);
  await tick();
  h.setProcessingTime(2);
  await tick();
  assert.deepEqual(h.output(), ['ready']);
  assert.equal(calls, 3);
});

test('capacity: at most `capacity` in flight; a full queue registers a blocker', async () => {
  const { calls, fn } = controlled<number>();
  const h = harness('ordered', fn, { capacity: 2 });
  const op = h.operator as AsyncWaitOperator;
  h.processElements([1, 2, 3, 4]);
  assert.equal(calls.length, 2);
  assert.equal(op.inFlight, 2);
  assert.equal(op.queued, 4);
  let released = false;
  const settled = h.settle().then(() => {
    released = true;
  });
  await tick();
  assert.equal(released, false, 'the sources must wait while the queue is full');
  calls[0]?.d.resolve(1);
  calls[1]?.d.resolve(2);
  await tick();
  assert.equal(calls.length, 4);
  await tick();
  calls[2]?.d.resolve(3);
  await tick();
  await settled;
  assert.equal(released, true);
  calls[3]?.d.resolve(4);
  await tick();
  assert.deepEqual(h.output(), [1, 2, 3, 4]);
});

test('end of input waits for every queued record, then ends', async () => {
  const { calls, fn } = controlled<number>();
  const h = harness('unordered', fn, { capacity: 1 });
  h.processElements([1, 2]);
  h.processWatermark(Number.POSITIVE_INFINITY);
  h.endInput();
  let ended = false;
  const settled = h.settle().then(() => {
    ended = true;
  });
  calls[0]?.d.resolve(10);
  await tick();
  assert.equal(ended, false);
  calls[1]?.d.resolve(20);
  await settled;
  assert.deepEqual(h.output(), [10, 20]);
  assert.deepEqual(h.watermarks(), [Number.POSITIVE_INFINITY]);
});

test('snapshot holds the queued records; a restore re-issues them', async () => {
  const first = controlled<number>();
  const h = harness('ordered', first.fn, { capacity: 2 });
  h.processElements([1, 2, 3], 9);
  first.calls[0]?.d.resolve(1);
  await tick();
  assert.deepEqual(h.output(), [1]);
  // 2 is in flight, 3 waits for a slot: both are in the checkpoint, in arrival order.
  const snapshot = h.snapshot();
  assert.deepEqual(snapshot.operatorState, [
    { value: 2, timestamp: 9 },
    { value: 3, timestamp: 9 },
  ]);

  const h2 = harness('ordered', (n: number) => Promise.resolve(n * 10), { capacity: 2 });
  h2.restore(snapshot);
  h2.open(); // re-issues the requests
  await tick();
  await tick();
  assert.deepEqual(h2.outputWithTimestamps(), [
    { value: 20, timestamp: 9 },
    { value: 30, timestamp: 9 },
  ]);
});

test('metrics: in-flight gauge and latency histogram', async () => {
  const { calls, fn } = controlled<number>();
  const h = harness('unordered', fn);
  h.processElements([1, 2]);
  assert.equal(h.metrics()['async_in_flight'], 2);
  h.setProcessingTime(40);
  calls[0]?.d.resolve(1);
  calls[1]?.d.resolve(2);
  await tick();
  const latency = h.metrics()['async_latency_ms'] as { count: number; max: number };
  assert.equal(latency.count, 2);
  assert.equal(latency.max, 40);
  assert.equal(h.metrics()['async_in_flight'], 0);
});

test('invalid options fail with a hint naming the operator', () => {
  assert.throws(
    () =>
      OneInputHarness.of((input: DataStream<number>) =>
        input.mapAsync((n) => Promise.resolve(n), { capacity: 0 }),
      ),
    (e: unknown) => e instanceof EddyError && /MapAsync.*capacity/s.test(e.message),
  );
});
