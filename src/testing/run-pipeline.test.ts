import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CollectionSource,
  EddyError,
  OutputTag,
  PrintSink,
  ValueStateDescriptor,
  WatermarkStrategy,
  type StreamEnvironment,
} from '../index.ts';
import { runPipeline, TestSource } from './index.ts';

interface Event {
  readonly user: string;
  readonly ts: number;
}

const dropped = new OutputTag<Event>('dropped');

/** A job as an application would write it: real source names, real sinks. */
function buildJob(env: StreamEnvironment): void {
  const events = env.fromSource(
    new CollectionSource<Event>([{ user: 'never-used', ts: 0 }]),
    WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.ts),
    'events',
  );
  const counted = events
    .filter((e, ctx) => {
      if (e.user === '') ctx.output(dropped, e);
      return e.user !== '';
    })
    .keyBy((e) => e.user)
    .process<string>({
      processElement(e, ctx, out) {
        const n = ctx.getState(new ValueStateDescriptor<number>('n'));
        n.update((n.value() ?? 0) + 1);
        ctx.timerService().registerEventTimeTimer(e.ts + 1_000);
        ctx
          .timerService()
          .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 500);
        out.collect(`${e.user}:${n.value() ?? 0}`);
      },
      onTimer(t, ctx, out) {
        out.collect(`${String(ctx.getCurrentKey())}@${t}:${ctx.timeDomain()}`);
      },
    })
    .name('counter');
  counted.sinkTo(new PrintSink<string>()).name('out');
}

describe('runPipeline', { concurrency: true }, () => {
  test('replaces a named source with records and collects the sinks', async () => {
    const r = await runPipeline(buildJob, {
      sources: {
        events: [
          { user: 'a', ts: 10 },
          { user: 'a', ts: 20 },
        ],
      },
    });
    // Bounded: the final watermark fires the event-time timer; processing time never moved.
    assert.deepEqual(r.sink('out'), ['a:1', 'a:2', 'a@1010:EVENT_TIME', 'a@1020:EVENT_TIME']);
    assert.deepEqual(r.sinks, { out: r.sink('out') });
    assert.equal(r.result.status, 'FINISHED');
  });

  test('plays scripted records, watermarks and processing time in order', async () => {
    const r = await runPipeline(buildJob, {
      sources: {
        events: TestSource.steps<Event>([
          { records: [{ user: 'a', ts: 10 }] },
          { processingTime: 600 },
          { watermark: 2_000 },
          { record: { user: 'b', ts: 3_000 } },
        ]),
      },
      bounded: false,
    });
    assert.deepEqual(r.sink('out'), [
      'a:1',
      'a@500:PROCESSING_TIME',
      'a@1010:EVENT_TIME',
      'b:1',
      // not bounded: b's event-time timer at 4000 never fires, and processing time stays at 600
    ]);
    assert.equal(r.result.status, 'CANCELED');
  });

  test('keeps timestamps and reports metrics per operator', async () => {
    const r = await runPipeline(buildJob, {
      sources: {
        events: [
          { user: 'a', ts: 10 },
          { user: '', ts: 11 },
        ],
      },
      sideOutputs: [dropped],
    });
    assert.deepEqual(r.sinkWithTimestamps('out')[0], { value: 'a:1', timestamp: 10 });
    assert.deepEqual(r.sideOutput(dropped), [{ user: '', ts: 11 }]);
    assert.equal(r.metrics['counter']?.['records_in'], 1);
    assert.equal(r.metrics['out']?.['records_in'], 2);
  });

  test('names the existing sources when a source name is wrong', async () => {
    await assert.rejects(
      runPipeline(buildJob, { sources: { evnets: [] } }),
      (e: unknown) =>
        e instanceof EddyError &&
        e.code === 'INVALID_ARGUMENT' &&
        /no source named "evnets"/.test(e.message) &&
        /"events"/.test(e.message),
    );
  });

  test('names the existing sinks when a sink name is wrong', async () => {
    const r = await runPipeline(buildJob, { sources: { events: [] } });
    assert.throws(() => r.sink('output'), /its sinks are "out"/);
  });

  test('a failing function fails the run with the operator named', async () => {
    await assert.rejects(
      runPipeline((env) => {
        env
          .fromCollection([1], 'numbers')
          .map(function boom(): number {
            throw new Error('bad record');
          })
          .print();
      }),
      (e: unknown) =>
        e instanceof EddyError && e.code === 'USER_FUNCTION_FAILED' && e.operator?.name === 'boom',
    );
  });

  test('runs at parallelism 2 with the records spread over key groups', async () => {
    const r = await runPipeline(
      (env) => {
        env
          .fromSource(new CollectionSource<number>([]), undefined, 'numbers')
          .keyBy((n) => n % 5)
          .reduce((a, b) => a + b)
          .setParallelism(2)
          .print()
          .name('sums');
      },
      { sources: { numbers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } },
    );
    const sums = r.sink<number>('sums');
    assert.equal(sums.length, 10);
    // The last running sum of each key (n % 5): 0 → 5+10, 1 → 1+6, 2 → 2+7, 3 → 3+8, 4 → 4+9.
    for (const total of [15, 7, 9, 11, 13]) assert.ok(sums.includes(total), `missing ${total}`);
  });
});
