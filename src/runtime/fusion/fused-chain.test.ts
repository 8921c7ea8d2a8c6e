import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CollectionSource,
  CollectSink,
  EddyError,
  OutputTag,
  StreamEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type Context,
  type DataStream,
  type KeyedProcessFunction,
  type OnTimerContext,
  type Sink,
  type SinkWriter,
} from '../../index.ts';

interface Rec {
  readonly id: number;
  readonly k: number;
  readonly v: number;
  readonly ts: number;
}

/** One step of a random pipeline; the fusable kinds and a few that break chains. */
type Step =
  | { readonly kind: 'map'; readonly add: number }
  | { readonly kind: 'filter'; readonly mod: number }
  | { readonly kind: 'keyed-map'; readonly objectKey: boolean }
  | { readonly kind: 'keyed-filter'; readonly mod: number }
  | { readonly kind: 'reduce'; readonly objectKey: boolean }
  | { readonly kind: 'flat-map' }
  | { readonly kind: 'flat-map-iterable'; readonly copies: number }
  | { readonly kind: 'keyed-flat-map'; readonly mod: number }
  | { readonly kind: 'side-map' }
  | { readonly kind: 'timestamp' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('map' as const), add: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('filter' as const), mod: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ kind: fc.constant('keyed-map' as const), objectKey: fc.boolean() }),
  fc.record({ kind: fc.constant('keyed-filter' as const), mod: fc.integer({ min: 2, max: 3 }) }),
  fc.record({ kind: fc.constant('reduce' as const), objectKey: fc.boolean() }),
  fc.constant({ kind: 'flat-map' as const }),
  fc.record({
    kind: fc.constant('flat-map-iterable' as const),
    copies: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('keyed-flat-map' as const), mod: fc.integer({ min: 2, max: 3 }) }),
  fc.constant({ kind: 'side-map' as const }),
  fc.constant({ kind: 'timestamp' as const }),
);

const seen = new ValueStateDescriptor<number>('seen');

/**
 * A sink whose writer takes single records (`invoke`, so it is chained) as well as batches
 * (`write`): it keeps `value@timestamp` in arrival order and counts which way each came.
 */
class RecordingSink implements Sink<string> {
  readonly name = 'recording';
  readonly values: string[] = [];
  invoked = 0;
  written = 0;
  constructor(private readonly failOn?: string) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'recording' };
  }
  createWriter(): SinkWriter<string> {
    return {
      write: (values: readonly string[], timestamps: readonly number[], count: number): void => {
        this.written += count;
        for (let i = 0; i < count; i++) this.values.push(`${values[i]}@${timestamps[i]}`);
      },
      invoke: (value: string, timestamp: number): void => {
        if (value === this.failOn) throw new RangeError(`${value} is not welcome`);
        this.invoked++;
        this.values.push(`${value}@${timestamp}`);
      },
    };
  }
}

const ODD = new OutputTag<number>('odd');

function apply(
  s: DataStream<Rec>,
  step: Step,
  i: number,
  sides: CollectSink<string>,
): DataStream<Rec> {
  const name = `${step.kind}-${i}`;
  switch (step.kind) {
    case 'map':
      return s.map((r) => ({ ...r, v: r.v + step.add })).name(name);
    case 'filter':
      return s.filter((r) => Math.abs(r.v + r.id) % step.mod !== 0).name(name);
    case 'keyed-map':
      // Keyed state read and written per record: the current key must be right for each one.
      return s
        .keyBy((r) => (step.objectKey ? { k: r.k } : r.k))
        .map((r, ctx: Context<unknown>) => {
          const state = ctx.getState(seen);
          const n = (state.value() ?? 0) + 1;
          state.update(n);
          return { ...r, v: r.v * 10 + n };
        })
        .name(name);
    case 'keyed-filter':
      return s
        .keyBy((r) => r.k)
        .filter((r, ctx: Context<unknown>) => {
          const state = ctx.getState(seen);
          const n = (state.value() ?? 0) + 1;
          state.update(n);
          return n % step.mod !== 0;
        })
        .name(name);
    case 'reduce':
      return s
        .keyBy((r) => (step.objectKey ? [r.k, 'x'] : r.k))
        .reduce((a, b) => ({ id: b.id, k: b.k, v: a.v + b.v, ts: b.ts }))
        .name(name);
    case 'flat-map':
      return s
        .flatMap((r, out: Collector<Rec>) => {
          out.collect(r);
          if (r.id % 3 === 0) out.collect({ ...r, id: r.id + 1000 });
        })
        .name(name);
    case 'flat-map-iterable':
      // Returns its outputs (none, one or two per record) instead of collecting them, and reads
      // the record's timestamp from the context.
      return s
        .flatMap((r, _out: Collector<Rec>, ctx: Context<unknown>) =>
          Array.from({ length: step.copies }, (_, c) => ({
            ...r,
            id: r.id + c * 2000,
            v: r.v + (ctx.timestamp() ?? 0),
          })),
        )
        .name(name);
    case 'keyed-flat-map':
      // Keyed state around each collect: the rest of the chain runs inside collect, and the
      // key must still be this record's when it returns.
      return s
        .keyBy((r) => r.k)
        .flatMap((r, out: Collector<Rec>, ctx: Context<unknown>) => {
          const state = ctx.getState(seen);
          const n = (state.value() ?? 0) + 1;
          if (n % step.mod !== 0) out.collect({ ...r, v: r.v + n });
          state.update(n);
          out.collect({ ...r, id: r.id + 5000, v: ctx.getState(seen).value() ?? -1 });
        })
        .name(name);
    case 'side-map': {
      // A side output that something reads keeps this map out of chains; it fills its output
      // batch directly, and the chain after it takes the batch.
      const m = s
        .map((r, ctx: Context<unknown>) => {
          if (r.id % 2 === 1) ctx.output(ODD, r.id);
          return r;
        })
        .name(name);
      m.getSideOutput(ODD)
        .map((id) => `${name}:${id}`)
        .sinkTo(sides);
      return m;
    }
    case 'timestamp':
      // The record's event timestamp as the context reports it: it must survive every stage.
      return s
        .map((r, ctx: Context<unknown>) => ({ ...r, v: r.v + (ctx.timestamp() ?? 0) }))
        .name(name);
  }
}

/** Emits each key's count when the watermark passes its last record (watermarks after records). */
const countAtWatermark: KeyedProcessFunction<number, Rec, string> = {
  processElement(r: Rec, ctx: Context<number>) {
    const state = ctx.getState(seen);
    state.update((state.value() ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(r.ts);
  },
  onTimer(ts: number, ctx: OnTimerContext<number>, out: Collector<string>) {
    out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.getState(seen).value()}`);
  },
};

async function run(
  input: readonly Rec[],
  steps: readonly Step[],
  chaining: boolean,
  batchSize: number,
  strategyOnSource: boolean,
): Promise<{ records: string[]; timers: string[]; sides: string[]; counts: string[] }> {
  // Periodic watermarks follow the wall clock: on a loaded machine one can fall mid-input in one
  // run and not the other, and the timers would differ for reasons that are not fusion's. With a
  // long interval only the end of input emits one, in both runs.
  const env = StreamEnvironment.create({
    operatorChaining: chaining,
    batchSize,
    autoWatermarkInterval: 3_600_000,
  });
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Rec>(5).withTimestampAssigner(
    (r) => r.ts,
  );
  // The source pushes into the first chain itself, or an operator in between does.
  let s = strategyOnSource
    ? env.fromSource(new CollectionSource(input), strategy)
    : env.fromCollection(input).assignTimestampsAndWatermarks(strategy);
  const sides = new CollectSink<string>();
  steps.forEach((step, i) => (s = apply(s, step, i, sides)));
  // Chained at the end of the last chain when chaining is on: takes records through invoke.
  const records = new RecordingSink();
  const timers = new CollectSink<string>();
  s.map((r) => JSON.stringify(r)).sinkTo(records);
  s.keyBy((r) => r.k)
    .process(countAtWatermark)
    .sinkTo(timers);
  const result = await env.execute('fusion');
  const counts = result.operators.map((o) => `${o.name} ${o.recordsIn} ${o.recordsOut}`);
  return {
    records: [...records.values],
    timers: [...timers.values],
    sides: [...sides.values],
    counts,
  };
}

const inputArb = fc.array(
  fc.record({
    id: fc.nat({ max: 500 }),
    k: fc.integer({ min: 0, max: 4 }),
    v: fc.integer({ min: -50, max: 50 }),
    ts: fc.integer({ min: 0, max: 200 }),
  }),
  { maxLength: 120 },
);

describe('operator fusion', () => {
  it('gives the records, timestamps, timers and per-operator counts of unfused operators', async () => {
    await fc.assert(
      fc.asyncProperty(
        inputArb,
        fc.array(stepArb, { minLength: 1, maxLength: 7 }),
        fc.constantFrom(1, 3, 16, 1024),
        fc.boolean(),
        async (input, steps, batchSize, strategyOnSource) => {
          const fused = await run(input, steps, true, batchSize, strategyOnSource);
          const plain = await run(input, steps, false, batchSize, strategyOnSource);
          assert.deepEqual(fused.records, plain.records);
          assert.deepEqual(fused.timers, plain.timers);
          assert.deepEqual(fused.sides, plain.sides);
          assert.deepEqual(fused.counts, plain.counts);
        },
      ),
      { numRuns: 150, seed: Number(process.env['FUSION_SEED'] ?? 20261125) },
    );
  });

  it('runs chained user functions inside one generated function, and none when chaining is off', async () => {
    const stackOf = async (chaining: boolean): Promise<string> => {
      let stack = '';
      const env = StreamEnvironment.create({ operatorChaining: chaining });
      env
        .fromCollection([1, 2, 3])
        .map((x) => x + 1)
        .filter((x) => {
          stack ||= new Error('where').stack ?? '';
          return x > 0;
        })
        .sinkTo(new CollectSink<number>());
      await env.execute('stack');
      return stack;
    };
    assert.match(await stackOf(true), /FusedChainCode/);
    assert.doesNotMatch(await stackOf(false), /FusedChainCode/);
  });

  it('cuts chains where the user asks: startNewChain() and disableChaining()', async () => {
    const stackOf = async (
      cut: 'none' | 'head' | 'never',
    ): Promise<{ stack: string; out: number[] }> => {
      let stack = '';
      const env = StreamEnvironment.create();
      const filtered = env
        .fromCollection([1, 2, 3, 4])
        .map((x) => x + 1)
        .filter((x) => {
          stack ||= new Error('where').stack ?? '';
          return x % 2 === 0;
        });
      if (cut === 'head') filtered.startNewChain();
      if (cut === 'never') filtered.disableChaining();
      const out = await filtered.map((x) => x * 10).executeAndCollect();
      assert.equal(
        env.getPlan().nodes.find((n) => n.kind === 'filter')?.chaining,
        cut === 'none' ? 'always' : cut,
      );
      return { stack, out };
    };
    const fused = await stackOf('none');
    // Fused with the source: the filter runs inside the source's poll loop.
    assert.match(fused.stack, /FusedChainCode/);
    assert.match(fused.stack, /pollNext/);
    // A new chain: the filter still heads a fused chain, but gets batches, not the source's calls.
    const head = await stackOf('head');
    assert.match(head.stack, /FusedChainCode/);
    assert.doesNotMatch(head.stack, /pollNext/);
    // Out of every chain: the operator's own batch loop calls the filter.
    const never = await stackOf('never');
    const caller = (stack: string): string => stack.split('\n')[2] ?? '';
    assert.match(caller(never.stack), /FilterOperator\.processBatch/);
    assert.match(caller(fused.stack), /FusedChainCode\.push/);
    assert.match(caller(head.stack), /FusedChainCode\.push/);
    for (const r of [fused, head, never]) assert.deepEqual(r.out, [20, 40]);
  });

  it('chains a sink whose writer takes single records, and hands it batches when not chained', async () => {
    const runWith = async (chaining: boolean): Promise<RecordingSink> => {
      const sink = new RecordingSink();
      const env = StreamEnvironment.create({ operatorChaining: chaining, batchSize: 4 });
      env
        .fromSource(
          new CollectionSource([1, 2, 3, 4, 5, 6, 7]),
          WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x * 10),
        )
        .filter((x) => x % 3 !== 0)
        .map((x) => `r${x}`)
        .sinkTo(sink)
        .name('recording');
      const result = await env.execute('chained sink');
      const op = result.operators.find((o) => o.name === 'recording');
      assert.equal(op?.recordsIn, 5);
      return sink;
    };
    const chained = await runWith(true);
    assert.deepEqual(chained.values, ['r1@10', 'r2@20', 'r4@40', 'r5@50', 'r7@70']);
    assert.deepEqual([chained.invoked, chained.written], [5, 0]);
    const batched = await runWith(false);
    assert.deepEqual(batched.values, chained.values);
    assert.deepEqual([batched.invoked, batched.written], [0, 5]);
  });

  it('hands a sink with two inputs batches through write (no producer feeds it one-to-one)', async () => {
    const sink = new RecordingSink();
    const env = StreamEnvironment.create({ batchSize: 2 });
    const a = env.fromCollection([1, 2, 3]).map((x) => `a${x}`);
    const b = env.fromCollection([4, 5]).map((x) => `b${x}`);
    a.union(b).sinkTo(sink).name('recording');
    const result = await env.execute('two inputs');
    assert.deepEqual([sink.invoked, sink.written], [0, 5]);
    assert.deepEqual(sink.values.map((v) => v.split('@')[0]).sort(), [
      'a1',
      'a2',
      'a3',
      'b4',
      'b5',
    ]);
    assert.equal(result.operators.find((o) => o.name === 'recording')?.recordsIn, 5);
  });

  it('names a chained sink whose writer failed on a record', async () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([1, 2, 3])
      .map((x) => `r${x}`)
      .name('label')
      .sinkTo(new RecordingSink('r2'))
      .name('picky sink');
    await assert.rejects(env.execute('fail'), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.operator?.name, 'picky sink');
      assert.ok(e.cause instanceof RangeError);
      return true;
    });
  });

  it('names the operator whose function failed, in the middle of a chain and behind a flatMap', async () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([1, 2, 3, 4])
      .map((x) => x * 2)
      .name('double')
      // The failing function runs inside this flatMap's collect: the failure must still name it.
      .flatMap((x: number, out: Collector<number>) => out.collect(x))
      .name('copy')
      .map((x) => {
        if (x === 6) throw new RangeError('six is not allowed');
        return x;
      })
      .name('no-six')
      .filter((x) => x > 0)
      .name('positive')
      .sinkTo(new CollectSink<number>());
    await assert.rejects(env.execute('fail'), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'USER_FUNCTION_FAILED');
      assert.equal(e.operator?.name, 'no-six');
      assert.ok(e.cause instanceof RangeError);
      return true;
    });
  });
});
