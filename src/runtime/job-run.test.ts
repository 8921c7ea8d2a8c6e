import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CollectSink,
  DataGenSource,
  EddyError,
  IterableSource,
  OutputTag,
  StreamEnvironment,
  ValueStateDescriptor,
  type Collector,
  type Context,
  type KeyedCoProcessFunction,
  type KeyedProcessFunction,
  type OnTimerContext,
  type SinkWriter,
  type ValueState,
} from '../index.ts';

describe('runtime', () => {
  it('runs map → filter → flatMap in order and reports records in/out per operator', async () => {
    const env = StreamEnvironment.create();
    const sink = new CollectSink<string>();
    env
      .fromCollection([1, 2, 3, 4, 5])
      .map((x) => x * 10)
      .name('times-ten')
      .filter((x) => x !== 30)
      .flatMap((x) => [`${x}a`, `${x}b`])
      .sinkTo(sink);
    const result = await env.execute('chain');
    assert.deepEqual(sink.values, ['10a', '10b', '20a', '20b', '40a', '40b', '50a', '50b']);
    assert.equal(result.status, 'FINISHED');
    const byName = Object.fromEntries(result.operators.map((o) => [o.name, o]));
    assert.equal(byName['times-ten']?.recordsIn, 5);
    assert.equal(byName['Filter']?.recordsOut, 4);
    assert.equal(byName['FlatMap']?.recordsOut, 8);
  });

  it('keyed reduce matches a brute-force reference at any parallelism and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ k: fc.integer({ min: 0, max: 20 }), v: fc.integer({ min: -100, max: 100 }) }),
          { maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (records, parallelism, batchSize) => {
          const env = StreamEnvironment.create({ parallelism, batchSize });
          const out = await env
            .fromCollection(records)
            .keyBy((r) => r.k)
            .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
            .executeAndCollect();
          // Per key, the outputs are the running sums in input order (order across keys is free).
          const expected = new Map<number, number[]>();
          const sums = new Map<number, number>();
          for (const r of records) {
            const s = (sums.get(r.k) ?? 0) + r.v;
            sums.set(r.k, s);
            expected.set(r.k, [...(expected.get(r.k) ?? []), s]);
          }
          const actual = new Map<number, number[]>();
          for (const r of out) actual.set(r.k, [...(actual.get(r.k) ?? []), r.v]);
          assert.deepEqual(actual, expected);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('rebalances records over all subtasks without losing or duplicating any', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 200 }),
        fc.integer({ min: 1, max: 4 }),
        async (values, parallelism) => {
          const env = StreamEnvironment.create({ parallelism, batchSize: 7 });
          const out = await env
            .fromCollection(values)
            .rebalance()
            .map((v, ctx) => [v, ctx.taskInfo.subtaskIndex] as const)
            .executeAndCollect();
          assert.deepEqual(out.map((o) => o[0]).sort(), [...values].sort());
          if (values.length >= parallelism)
            assert.equal(new Set(out.map((o) => o[1])).size, parallelism);
        },
      ),
      { seed: 7, numRuns: 40 },
    );
  });

  it('sends each key to exactly one subtask and keeps state per key', async () => {
    const env = StreamEnvironment.create({ parallelism: 3 });
    const sink = new CollectSink<{ key: string; n: number; subtask: number }>();
    env
      .fromCollection(Array.from({ length: 300 }, (_, i) => `k${i % 17}`))
      .keyBy((k) => k)
      .process(
        new (class CountPerKey implements KeyedProcessFunction<
          string,
          string,
          { key: string; n: number; subtask: number }
        > {
          private count!: ValueState<number>;
          open(ctx: Context<string>): void {
            this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
          }
          processElement(
            _key: string,
            ctx: Context<string>,
            out: Collector<{ key: string; n: number; subtask: number }>,
          ): void {
            const n = (this.count.value() ?? 0) + 1;
            this.count.update(n);
            out.collect({ key: ctx.getCurrentKey(), n, subtask: ctx.taskInfo.subtaskIndex });
          }
        })(),
      )
      .sinkTo(sink);
    await env.execute();
    const subtaskOf = new Map<string, Set<number>>();
    const last = new Map<string, number>();
    for (const r of sink.values) {
      subtaskOf.set(r.key, (subtaskOf.get(r.key) ?? new Set()).add(r.subtask));
      last.set(r.key, r.n);
    }
    for (const s of subtaskOf.values()) assert.equal(s.size, 1);
    assert.equal(
      new Set([...subtaskOf.values()].map((s) => [...s][0])).size,
      3,
      'all subtasks get keys',
    );
    // 300 = 17 * 17 + 11: keys k0..k10 occur 18 times, k11..k16 17 times.
    for (const [k, n] of last) assert.equal(n, Number(k.slice(1)) < 11 ? 18 : 17, `count of ${k}`);
    assert.equal(last.size, 17);
  });

  it('unions streams and connects two keyed streams with shared state', async () => {
    const env = StreamEnvironment.create();
    const a = env.fromCollection(['a1', 'a2']);
    const b = env.fromCollection(['b1']);
    const merged = await a.union(b).executeAndCollect();
    assert.deepEqual([...merged].sort(), ['a1', 'a2', 'b1']);

    const env2 = StreamEnvironment.create({ parallelism: 2 });
    const names = env2.fromCollection([
      { id: 1, name: 'ana' },
      { id: 2, name: 'bo' },
    ]);
    const scores = env2.fromCollection([
      { id: 2, score: 7 },
      { id: 1, score: 9 },
      { id: 3, score: 1 },
    ]);
    class JoinNames implements KeyedCoProcessFunction<
      number,
      { id: number; name: string },
      { id: number; score: number },
      string
    > {
      private name!: ValueState<string>;
      private score!: ValueState<number>;
      open(ctx: Context<number>): void {
        this.name = ctx.getState(new ValueStateDescriptor<string>('name'));
        this.score = ctx.getState(new ValueStateDescriptor<number>('score'));
      }
      processElement1(
        n: { id: number; name: string },
        _ctx: Context<number>,
        out: Collector<string>,
      ): void {
        this.name.update(n.name);
        const s = this.score.value();
        if (s !== undefined) out.collect(`${n.name}=${s}`);
      }
      processElement2(
        s: { id: number; score: number },
        _ctx: Context<number>,
        out: Collector<string>,
      ): void {
        this.score.update(s.score);
        const n = this.name.value();
        if (n !== undefined) out.collect(`${n}=${s.score}`);
      }
    }
    const joined = await names
      .keyBy((n) => n.id)
      .connect(scores.keyBy((s) => s.id))
      .process(new JoinNames())
      .executeAndCollect();
    assert.deepEqual([...joined].sort(), ['ana=9', 'bo=7']);
  });

  it('routes side outputs and drops tags nobody reads', async () => {
    const env = StreamEnvironment.create();
    const odd = new OutputTag<number>('odd');
    const unused = new OutputTag<number>('unused');
    const evens = env.fromCollection([1, 2, 3, 4, 5]).process((x: number, ctx, out) => {
      ctx.output(unused, x);
      if (x % 2 === 1) ctx.output(odd, x);
      else out.collect(x);
    });
    const oddSink = new CollectSink<number>();
    evens.getSideOutput(odd).sinkTo(oddSink);
    assert.deepEqual(await evens.executeAndCollect(), [2, 4]);
    assert.deepEqual(oddSink.values, [1, 3, 5]);
  });

  it('fails the job with the operator name and the user stack when a function throws', async () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([1, 2, 3])
      .map(function explode(x: number) {
        if (x === 2) throw new TypeError('bad record 2');
        return x;
      })
      .print();
    await assert.rejects(env.execute(), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'USER_FUNCTION_FAILED');
      assert.equal(e.domain, 'user');
      assert.match(
        e.message,
        /operator "explode", defined at .*job-run\.test\.ts:\d+:\d+: user function failed: bad record 2/,
      );
      assert.ok(e.cause instanceof TypeError);
      assert.match((e.cause as Error).stack ?? '', /job-run\.test\.ts/);
      return true;
    });
  });

  it('gives every function kind the same metrics: map, filter, flatMap, process, sink', async () => {
    const env = StreamEnvironment.create();
    const client = (() => {
      env
        .fromCollection([1, 2, 3, 4])
        .map((x, ctx) => (ctx.metrics.counter('mapped').inc(), x))
        .filter((x, ctx) => {
          ctx.metrics.counter('rejected').inc(x % 2 === 0 ? 0 : 1);
          return x % 2 === 0;
        })
        .flatMap((x, out: Collector<number>, ctx) => {
          ctx.metrics.histogram('values').observe(x);
          out.collect(x);
        })
        .process((x, ctx, out: Collector<number>) => {
          ctx.metrics.meter('processed').markEvent();
          ctx.metrics.gauge('last').set(x);
          out.collect(x);
        })
        .sinkTo((_x, ctx) => ctx.metrics.addGroup('sink', 'custom').counter('written').inc());
      return env.executeAsync('metrics-everywhere');
    })();
    await client.result;
    const text = await client.metricsText();
    assert.match(
      text,
      /eddy_mapped_total\{job="metrics-everywhere",operator="Map",operator_id="2",subtask="0"\} 4/,
    );
    assert.match(text, /eddy_rejected_total\{[^}]*operator="Filter"[^}]*\} 2/);
    assert.match(text, /eddy_values_count\{[^}]*operator="FlatMap"[^}]*\} 2/);
    assert.match(text, /eddy_processed_total\{[^}]*operator="Process"[^}]*\} 2/);
    assert.match(text, /eddy_last\{[^}]*operator="Process"[^}]*\} 4/);
    assert.match(text, /eddy_written_total\{[^}]*operator="sink"[^}]*sink="custom"\} 2/);
    assert.match(text, /eddy_records_in_total\{[^}]*operator="Filter"[^}]*\} 4/);
    assert.match(text, /eddy_records_out_total\{[^}]*operator="Filter"[^}]*\} 2/);
    assert.match(text, /^process_cpu_seconds_total/m);
  });

  it('waits for async sink writes before more records flow (backpressure)', async () => {
    const env = StreamEnvironment.create({ batchSize: 10 });
    let inFlight = 0;
    let maxInFlight = 0;
    const written: number[] = [];
    env.fromCollection(Array.from({ length: 100 }, (_, i) => i)).sinkTo({
      name: 'slow',
      describe: () => ({ kind: 'slow' }),
      createWriter: (): SinkWriter<number> => ({
        write: async (values, _t, count) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setImmediate(r));
          for (let i = 0; i < count; i++) written.push(values[i] as number);
          inFlight--;
        },
      }),
    });
    await env.execute();
    assert.equal(maxInFlight, 1);
    assert.deepEqual(
      written,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('shortens source batches behind a slow chain, so the thread answers between them', async () => {
    // 300 records × 4 ms in one batch would hold the thread for 1.2 s; batches of ~50 ms let a
    // timer (a status request, a barrier) in many times meanwhile. Parallelism 1: the chain runs
    // on this thread, as a hosted job of parallelism 1 runs on the host's.
    const env = StreamEnvironment.create({ parallelism: 1 });
    let ticks = 0;
    let ticksWhileMapping = 0;
    const tick = setInterval(() => ticks++, 5);
    let firstTicks = -1;
    try {
      const out = await env
        .fromCollection(Array.from({ length: 300 }, (_, i) => i))
        .map((x) => {
          if (firstTicks < 0) firstTicks = ticks;
          const until = performance.now() + 4;
          while (performance.now() < until) {
            // a CPU-bound step
          }
          ticksWhileMapping = ticks - firstTicks;
          return x;
        })
        .executeAndCollect();
      assert.equal(out.length, 300);
    } finally {
      clearInterval(tick);
    }
    assert.ok(ticksWhileMapping >= 8, `a timer ran ${ticksWhileMapping} times in 1.2 s of work`);
  });

  it('runs an unbounded job until cancelled, then ends with CANCELED', async () => {
    const env = StreamEnvironment.create({ handleSignals: false });
    const sink = new CollectSink<number>();
    env.fromSource(new DataGenSource((i) => i)).sinkTo(sink);
    const client = env.executeAsync('forever');
    while (sink.values.length < 5000) await new Promise((r) => setImmediate(r));
    const result = await client.cancel();
    assert.equal(result.status, 'CANCELED');
    const n = sink.values.length;
    assert.deepEqual(
      sink.values,
      Array.from({ length: n }, (_, i) => i),
    );
  });

  it('reads async iterables', async () => {
    async function* gen() {
      for (let i = 0; i < 1000; i++) {
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
        yield i;
      }
    }
    const env = StreamEnvironment.create();
    const out = await env
      .fromSource(new IterableSource(gen()))
      .filter((x) => x % 250 === 0)
      .executeAndCollect();
    assert.deepEqual(out, [0, 250, 500, 750]);
  });

  it('fires processing-time timers with the key and its state in scope', async () => {
    // The source stays open until both timers have fired, so the job sees them.
    let fired = 0;
    let fireAt: number | undefined;
    async function* keys() {
      yield* ['a', 'b', 'a'];
      while (fired < 2) await new Promise((r) => setTimeout(r, 5));
    }
    const env = StreamEnvironment.create();
    const out = await env
      .fromSource(new IterableSource(keys()))
      .keyBy((k) => k)
      .process(
        new (class Timed implements KeyedProcessFunction<string, string, string> {
          private seen!: ValueState<number>;
          open(ctx: Context<string>): void {
            this.seen = ctx.getState(new ValueStateDescriptor<number>('seen'));
          }
          processElement(_k: string, ctx: Context<string>): void {
            this.seen.update((this.seen.value() ?? 0) + 1);
            // One timestamp for every registration, so that 'a' registers the same timer twice.
            fireAt ??= ctx.timerService().currentProcessingTime() + 5;
            ctx.timerService().registerProcessingTimeTimer(fireAt);
          }
          onTimer(_ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
            fired++;
            out.collect(`${ctx.getCurrentKey()}:${this.seen.value()}:${ctx.timeDomain()}`);
          }
        })(),
      )
      .executeAndCollect();
    assert.deepEqual([...out].sort(), ['a:2:PROCESSING_TIME', 'b:1:PROCESSING_TIME']);
  });
});
