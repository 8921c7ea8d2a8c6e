/**
 * Property tests: window operators and joins, run through the real runtime (a scripted source
 * emitting records, per-split watermarks and idleness), compared with brute-force references.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  PurgingTrigger,
  SlidingEventTimeWindows,
  StreamEnvironment,
  TumblingEventTimeWindows,
  type AggregateFunction,
  type Context,
  type DataStream,
  type ProcessWindowContext,
  type Window,
} from '../../src/index.ts';
import { ScriptedSource, type ScriptStep } from './scripted-source.ts';
import {
  SplitWatermarkModel,
  referenceIntervalJoin,
  referenceIntervalJoinLate,
  referenceWindows,
  type Firing,
  type OpEvent,
  type Rec,
  type WindowDef,
} from './window-reference.ts';

const SEED = 20261125;

type Step =
  | { kind: 'rec'; key: string; v: number; ts: number; split: string }
  | { kind: 'wm'; split: string; w: number }
  /** A watermark relative to the previous record's timestamp: exercises exact bounds. */
  | { kind: 'wm-rel'; split: string; delta: number }
  | { kind: 'idle'; split: string }
  | { kind: 'active'; split: string };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('rec' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      v: fc.integer({ min: 1, max: 9 }),
      ts: fc.integer({ min: 0, max: 50 }),
      split: fc.constantFrom('s1', 's2'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wm' as const),
      split: fc.constantFrom('s1', 's2'),
      w: fc.integer({ min: -2, max: 55 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('wm-rel' as const),
      split: fc.constantFrom('s1', 's2'),
      delta: fc.integer({ min: -3, max: 25 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('idle' as const),
      split: fc.constantFrom('s1', 's2'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('active' as const),
      split: fc.constantFrom('s1', 's2'),
    }),
  },
);

/** The script for the source and the events the operator sees (per the split model). */
function compile(steps: readonly Step[]): { script: ScriptStep<Rec>[]; events: OpEvent[] } {
  const model = new SplitWatermarkModel();
  const script: ScriptStep<Rec>[] = [];
  const events: OpEvent[] = [];
  let id = 0;
  let lastTs = 0;
  const advanced = (w: number | undefined) => {
    if (w !== undefined) events.push({ kind: 'wm', w });
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'rec': {
        const rec: Rec = { id: id++, key: s.key, v: s.v, ts: s.ts, split: s.split };
        lastTs = s.ts;
        script.push({ kind: 'record', value: rec, ts: s.ts, split: s.split });
        advanced(model.record(s.split));
        events.push({ kind: 'rec', rec });
        break;
      }
      case 'wm':
      case 'wm-rel': {
        const w = s.kind === 'wm' ? s.w : lastTs + s.delta;
        script.push({ kind: 'watermark', wm: w, split: s.split });
        advanced(model.watermark(s.split, w));
        break;
      }
      case 'idle':
        script.push({ kind: 'idle', split: s.split });
        advanced(model.setIdle(s.split, true));
        break;
      case 'active':
        script.push({ kind: 'active', split: s.split });
        advanced(model.setIdle(s.split, false));
        break;
    }
  }
  events.push({ kind: 'wm', w: Number.POSITIVE_INFINITY });
  return { script, events };
}

type WindowCase =
  | { kind: 'tumbling'; size: number }
  | { kind: 'sliding'; size: number; slide: number }
  | { kind: 'session'; gap: number }
  | { kind: 'dynamic-session' }
  | { kind: 'count'; n: number; purge: boolean };

const windowArb: fc.Arbitrary<WindowCase> = fc.oneof(
  fc.record({ kind: fc.constant('tumbling' as const), size: fc.integer({ min: 1, max: 30 }) }),
  fc
    .record({ size: fc.integer({ min: 2, max: 30 }), slide: fc.integer({ min: 1, max: 29 }) })
    .map(({ size, slide }) => ({ kind: 'sliding' as const, size, slide: Math.min(slide, size) })),
  fc.record({ kind: fc.constant('session' as const), gap: fc.integer({ min: 1, max: 15 }) }),
  fc.constant({ kind: 'dynamic-session' as const }),
  fc.record({
    kind: fc.constant('count' as const),
    n: fc.integer({ min: 1, max: 4 }),
    purge: fc.boolean(),
  }),
);

const dynamicGap = (r: Rec): number => r.v * 2;

function defOf(c: WindowCase): WindowDef {
  switch (c.kind) {
    case 'tumbling':
      return { kind: 'aligned', size: c.size, slide: c.size };
    case 'sliding':
      return { kind: 'aligned', size: c.size, slide: c.slide };
    case 'session':
      return { kind: 'session', gapOf: () => c.gap };
    case 'dynamic-session':
      return { kind: 'session', gapOf: dynamicGap };
    case 'count':
      return { kind: 'count', n: c.n, purge: c.purge };
  }
}

const SUM: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (r, acc) => acc + r.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

type Fn = 'process' | 'aggregate' | 'reduce';

function describeWindow(w: Window): string {
  const t = w as unknown as { start?: number; end?: number };
  return t.start === undefined ? 'G' : `${t.start}|${t.end}`;
}

async function runWindow(
  script: ScriptStep<Rec>[],
  c: WindowCase,
  lateness: number,
  withLateTag: boolean,
  fn: Fn,
  perPoll: number,
): Promise<{ out: string[]; late: number[] }> {
  const env = StreamEnvironment.create();
  const keyed = env.fromSource(new ScriptedSource(script, perPoll)).keyBy((r) => r.key);
  const lateTag = new OutputTag<Rec>('late');
  const base = () => {
    switch (c.kind) {
      case 'tumbling':
        return keyed.window(TumblingEventTimeWindows.of(c.size));
      case 'sliding':
        return keyed.window(SlidingEventTimeWindows.of(c.size, c.slide));
      case 'session':
        return keyed.window(EventTimeSessionWindows.withGap(c.gap));
      case 'dynamic-session':
        return keyed.window(EventTimeSessionWindows.withDynamicGap(dynamicGap));
      case 'count': {
        const t = CountTrigger.of(c.n);
        return keyed.window(GlobalWindows.create()).trigger(c.purge ? PurgingTrigger.of(t) : t);
      }
    }
  };
  const w = (base() as ReturnType<typeof keyed.window<Window>>).allowedLateness(lateness);
  if (withLateTag) w.sideOutputLateData(lateTag);
  const label = (key: string, ctx: ProcessWindowContext<Window>, body: string) =>
    `${key}|${describeWindow(ctx.window)}|${body}`;
  let main: DataStream<string>;
  if (fn === 'process') {
    main = w.process<string>((key, ctx, els, out) =>
      out.collect(
        label(
          key,
          ctx,
          els
            .map((r) => r.id)
            .sort((a, b) => a - b)
            .join(','),
        ),
      ),
    );
  } else if (fn === 'aggregate') {
    main = w.aggregate<number, number, string>(SUM, (key, ctx, sums, out) =>
      out.collect(label(key, ctx, `Σ${sums[0]}`)),
    );
  } else {
    main = w.reduce<string>(
      (a, b) => ({ ...a, v: a.v + b.v }),
      (key, ctx, rs, out) => out.collect(label(key, ctx, `Σ${(rs[0] as Rec).v}`)),
    );
  }
  const late: number[] = [];
  if (withLateTag) main.getSideOutput(lateTag).sinkTo((r: Rec) => void late.push(r.id));
  const out = await main.executeAndCollect();
  return { out: out.sort(), late: late.sort((a, b) => a - b) };
}

function expectedWindow(f: Firing, fn: Fn, count: boolean): string {
  const win = count ? 'G' : `${f.start}|${f.end}`;
  const body =
    fn === 'process'
      ? f.recs
          .map((r) => r.id)
          .sort((a, b) => a - b)
          .join(',')
      : `Σ${f.recs.reduce((s, r) => s + r.v, 0)}`;
  return `${f.key}|${win}|${body}`;
}

test('windows of every kind match the reference over random out-of-order input, watermarks and idleness', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(stepArb, { maxLength: 50 }),
      windowArb,
      fc.constantFrom(0, 0, 5, 20),
      fc.boolean(),
      fc.constantFrom<Fn>('process', 'aggregate', 'reduce'),
      fc.constantFrom(1, 3, 1000),
      async (steps, c, lateness, withLateTag, fn, perPoll) => {
        const { script, events } = compile(steps);
        const ref = referenceWindows(events, defOf(c), lateness);
        const got = await runWindow(script, c, lateness, withLateTag, fn, perPoll);
        const expected = ref.firings.map((f) => expectedWindow(f, fn, c.kind === 'count')).sort();
        assert.deepEqual(got.out, expected);
        if (withLateTag)
          assert.deepEqual(
            got.late,
            ref.late.map((r) => r.id).sort((a, b) => a - b),
          );
      },
    ),
    { seed: SEED, numRuns: 250 },
  );
});

const joinStepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('rec' as const),
      key: fc.constantFrom('a', 'a', 'b'),
      v: fc.integer({ min: 0, max: 1 }),
      ts: fc.integer({ min: 0, max: 20 }),
      split: fc.constant('s1'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wm' as const),
      split: fc.constant('s1'),
      w: fc.integer({ min: -2, max: 33 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wm-rel' as const),
      split: fc.constant('s1'),
      delta: fc.integer({ min: -3, max: 10 }),
    }),
  },
);

test('interval join matches the reference (bounds, exclusivity, late records and their side outputs, cleanup)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(joinStepArb, { maxLength: 40 }),
      fc.integer({ min: -10, max: 10 }),
      fc.integer({ min: 0, max: 12 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom('none', 'left', 'right', 'both'),
      async (steps, lower, width, lowerExclusive, upperExclusive, lateOutputs) => {
        const upper = lower + width;
        const { script, events } = compile(steps.map((s) => ({ ...s, split: 'main' })));
        const mainScript = script.map((s) => {
          const { split: _split, ...rest } = s as ScriptStep<Rec> & { split?: string };
          return rest as ScriptStep<Rec>;
        });
        const env = StreamEnvironment.create();
        const src = env.fromSource(new ScriptedSource(mainScript));
        const left = src.filter((r) => r.v === 0).keyBy((r) => r.key);
        const right = src.filter((r) => r.v === 1).keyBy((r) => r.key);
        let joined = left.intervalJoin(right).between(lower, upper);
        if (lowerExclusive) joined = joined.lowerBoundExclusive();
        if (upperExclusive) joined = joined.upperBoundExclusive();
        const leftLate = new OutputTag<Rec>('left-late');
        const rightLate = new OutputTag<Rec>('right-late');
        if (lateOutputs === 'left' || lateOutputs === 'both')
          joined = joined.sideOutputLeftLateData(leftLate);
        if (lateOutputs === 'right' || lateOutputs === 'both')
          joined = joined.sideOutputRightLateData(rightLate);
        const result = joined.process<string>((l, r, ctx, o) => {
          assert.equal(ctx.timestamp, Math.max(l.ts, r.ts));
          o.collect(`${l.id}-${r.id}`);
        });
        // Late records keep their own timestamp on the side output.
        const late = { left: [] as number[], right: [] as number[] };
        const lateSink = (side: 'left' | 'right') => (r: Rec, ctx: Context<unknown>) => {
          assert.equal(ctx.timestamp(), r.ts);
          late[side].push(r.id);
        };
        result
          .getSideOutput(leftLate)
          .map(lateSink('left'))
          .sinkTo(() => undefined);
        result
          .getSideOutput(rightLate)
          .map(lateSink('right'))
          .sinkTo(() => undefined);
        const out = await result.executeAndCollect();
        const lo = lowerExclusive ? lower + 1 : lower;
        const hi = upperExclusive ? upper - 1 : upper;
        assert.deepEqual(
          out.sort(),
          referenceIntervalJoin(events, (r) => r.v === 0, lo, hi),
        );
        const expected = referenceIntervalJoinLate(events, (r) => r.v === 0);
        const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
        assert.deepEqual(
          sorted(late.left),
          lateOutputs === 'left' || lateOutputs === 'both' ? expected.left : [],
        );
        assert.deepEqual(
          sorted(late.right),
          lateOutputs === 'right' || lateOutputs === 'both' ? expected.right : [],
        );
      },
    ),
    { seed: SEED, numRuns: 150 },
  );
});

test('window join and coGroup match the reference (tumbling and sliding)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(joinStepArb, { maxLength: 40 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 20 }),
      fc.boolean(),
      async (steps, size, slideRaw, coGroup) => {
        const slide = Math.min(size, slideRaw);
        const { script, events } = compile(steps.map((s) => ({ ...s, split: 'main' })));
        const mainScript = script.map((s) => {
          const { split: _split, ...rest } = s as ScriptStep<Rec> & { split?: string };
          return rest as ScriptStep<Rec>;
        });
        const env = StreamEnvironment.create();
        const src = env.fromSource(new ScriptedSource(mainScript));
        const a = src.filter((r) => r.v === 0);
        const b = src.filter((r) => r.v === 1);
        const assigner = SlidingEventTimeWindows.of(size, slide);
        const out = coGroup
          ? await a
              .coGroup(b)
              .where((r) => r.key)
              .equalTo((r) => r.key)
              .window(assigner)
              .apply<string>((as, bs, o) => {
                for (const x of as) for (const y of bs) o.collect(`${x.id}-${y.id}`);
              })
              .executeAndCollect()
          : await a
              .join(b)
              .where((r) => r.key)
              .equalTo((r) => r.key)
              .window(assigner)
              .apply((x, y) => `${x.id}-${y.id}`)
              .executeAndCollect();
        const ref = referenceWindows(events, { kind: 'aligned', size, slide }, 0);
        const expected: string[] = [];
        for (const f of ref.firings) {
          for (const x of f.recs)
            if (x.v === 0) for (const y of f.recs) if (y.v === 1) expected.push(`${x.id}-${y.id}`);
        }
        assert.deepEqual(out.sort(), expected.sort());
      },
    ),
    { seed: SEED, numRuns: 80 },
  );
});
