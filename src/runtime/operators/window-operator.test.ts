/**
 * The window operators driven one at a time through the keyed harness (Flink's
 * WindowOperatorTest): random out-of-order records and watermarks, late records, and a snapshot
 * and restore into a fresh harness at a random point. After every step, what the operator emitted
 * (results and late records) must be what the brute-force reference of test/time emits at that
 * step. Each case pins which of the three operators the registry chose for it, so the specialised
 * operators (slicing, sessions) and the general one are each covered on their own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  OutputTag,
  ProcessingTimeTrigger,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type AggregateFunction,
  type DataStream,
  type KeyedStream,
  type ProcessWindowContext,
  type TimeWindow,
} from '../../index.ts';
import { KeyedOneInputHarness } from '../../testing/index.ts';
import {
  referenceWindows,
  type Firing,
  type OpEvent,
  type Rec,
  type WindowDef,
} from '../../../test/time/window-reference.ts';
import { SessionWindowOperator } from './session-window-operator.ts';
import { SlicingWindowOperator } from './slicing-window-operator.ts';
import { WindowOperator } from './window-operator.ts';

const late = new OutputTag<Rec>('late');

/** Sum and count of `v`: with `merge`, so sliding and session windows may use it. */
const sumCount: AggregateFunction<Rec, [number, number], string> = {
  createAccumulator: () => [0, 0],
  add: (r, [s, n]) => [s + r.v, n + 1],
  getResult: ([s, n]) => `${s}/${n}`,
  merge: ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2],
};

/** Emits `key:start-end:result` for a window's aggregated result or its records. */
const describeWindow =
  <V>(result: (elements: readonly V[]) => string) =>
  (
    key: string | number,
    ctx: ProcessWindowContext<TimeWindow>,
    elements: readonly V[],
    out: { collect(s: string): void },
  ) =>
    out.collect(`${key}:${ctx.window.start}-${ctx.window.end}:${result(elements)}`);

const sumOf = (recs: readonly Rec[]) => recs.reduce((s, r) => s + r.v, 0);
const ids = (recs: readonly Rec[]) =>
  recs
    .map((r) => r.id)
    .sort((a, b) => a - b)
    .join(',');

interface Case {
  readonly name: string;
  readonly operator: new (...args: never[]) => object;
  readonly def: WindowDef;
  readonly lateness: number;
  readonly build: (keyed: KeyedStream<string | number, Rec>) => DataStream<string>;
  /** What the operator emits for a reference firing. */
  readonly expected: (f: Firing) => string;
  /**
   * The job the snapshot is restored into, when it runs on another operator than the one that
   * took it (state an earlier layout left must carry over).
   */
  readonly restoreAs?: {
    readonly operator: new (...args: never[]) => object;
    readonly build: (keyed: KeyedStream<string | number, Rec>) => DataStream<string>;
  };
  readonly stateBackend?: 'heap' | 'lmdb';
}

const tumblingProcess = (k: KeyedStream<string | number, Rec>) =>
  k
    .window(TumblingEventTimeWindows.of(10))
    .sideOutputLateData(late)
    .process(describeWindow<Rec>(ids));
/**
 * The same window on the general operator, as Eddy ran it before ADR 0030 (the assigner's own
 * trigger, set explicitly: a user trigger takes the general operator).
 */
const tumblingProcessOnGeneralOperator = (k: KeyedStream<string | number, Rec>) =>
  k
    .window(TumblingEventTimeWindows.of(10))
    .trigger(EventTimeTrigger.create())
    .sideOutputLateData(late)
    .process(describeWindow<Rec>(ids));

const GAP = 5;
const cases: readonly Case[] = [
  {
    name: 'tumbling reduce (slicing operator)',
    operator: SlicingWindowOperator,
    def: { kind: 'aligned', size: 10, slide: 10 },
    lateness: 0,
    build: (k) =>
      k
        .window(TumblingEventTimeWindows.of(10))
        .sideOutputLateData(late)
        .reduce(
          (a, b) => ({ ...a, v: a.v + b.v }),
          describeWindow<Rec>((e) => String(e[0]?.v)),
        ),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${sumOf(f.recs)}`,
  },
  {
    name: 'sliding aggregate (slicing operator)',
    operator: SlicingWindowOperator,
    def: { kind: 'aligned', size: 15, slide: 5 },
    lateness: 0,
    build: (k) =>
      k
        .window(SlidingEventTimeWindows.of(15, 5))
        .sideOutputLateData(late)
        .aggregate(
          sumCount,
          describeWindow<string>((e) => e[0] ?? ''),
        ),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${sumOf(f.recs)}/${f.recs.length}`,
  },
  {
    name: 'tumbling process (slicing operator)',
    operator: SlicingWindowOperator,
    def: { kind: 'aligned', size: 10, slide: 10 },
    lateness: 0,
    build: tumblingProcess,
    expected: (f) => `${f.key}:${f.start}-${f.end}:${ids(f.recs)}`,
  },
  ...(['heap', 'lmdb'] as const).map((stateBackend): Case => ({
    name: `tumbling process, a snapshot of the general operator restored into the slicing operator (${stateBackend})`,
    operator: WindowOperator,
    def: { kind: 'aligned', size: 10, slide: 10 },
    lateness: 0,
    build: tumblingProcessOnGeneralOperator,
    restoreAs: { operator: SlicingWindowOperator, build: tumblingProcess },
    stateBackend,
    expected: (f) => `${f.key}:${f.start}-${f.end}:${ids(f.recs)}`,
  })),
  {
    name: 'sliding process with allowed lateness (general operator)',
    operator: WindowOperator,
    def: { kind: 'aligned', size: 15, slide: 5 },
    lateness: 4,
    build: (k) =>
      k
        .window(SlidingEventTimeWindows.of(15, 5))
        .allowedLateness(4)
        .sideOutputLateData(late)
        .process(describeWindow<Rec>(ids)),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${ids(f.recs)}`,
  },
  {
    name: 'session aggregate (session operator)',
    operator: SessionWindowOperator,
    def: { kind: 'session', gapOf: () => GAP },
    lateness: 0,
    build: (k) =>
      k
        .window(EventTimeSessionWindows.withGap(GAP))
        .sideOutputLateData(late)
        .aggregate(
          sumCount,
          describeWindow<string>((e) => e[0] ?? ''),
        ),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${sumOf(f.recs)}/${f.recs.length}`,
  },
  {
    name: 'session process with allowed lateness (session operator)',
    operator: SessionWindowOperator,
    def: { kind: 'session', gapOf: () => GAP },
    lateness: 3,
    build: (k) =>
      k
        .window(EventTimeSessionWindows.withGap(GAP))
        .allowedLateness(3)
        .sideOutputLateData(late)
        .process(describeWindow<Rec>(ids)),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${ids(f.recs)}`,
  },
  {
    name: 'session process with a custom trigger (general operator, merging)',
    operator: WindowOperator,
    def: { kind: 'session', gapOf: () => GAP },
    lateness: 0,
    // The assigner's own trigger, set explicitly: a user trigger takes the general operator.
    build: (k) =>
      k
        .window(EventTimeSessionWindows.withGap(GAP))
        .trigger(EventTimeTrigger.create())
        .sideOutputLateData(late)
        .process(describeWindow<Rec>(ids)),
    expected: (f) => `${f.key}:${f.start}-${f.end}:${ids(f.recs)}`,
  },
];

type Step =
  | { readonly kind: 'rec'; readonly key: string; readonly v: number; readonly ts: number }
  | { readonly kind: 'wm'; readonly w: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('rec' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      v: fc.integer({ min: 1, max: 9 }),
      ts: fc.integer({ min: 0, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('wm' as const), w: fc.integer({ min: -1, max: 70 }) }),
  },
);

/** What the operator emits during each event: results and late record ids, sorted. */
function perStep(results: readonly string[][], lates: readonly number[][]): string[] {
  return results.map(
    (r, i) => `${[...r].sort().join(' | ')} || late ${[...(lates[i] ?? [])].sort().join(',')}`,
  );
}

/**
 * Keys as the test's records carry them ('a', 'b', 'c'), or as numbers (their char codes): state
 * and timers normalize the two kinds differently, and a restore must treat both alike.
 */
type KeyKind = 'string' | 'number';
const keyOf = (kind: KeyKind) => (key: string) => (kind === 'number' ? key.charCodeAt(0) : key);

function runCase(c: Case, steps: readonly Step[], restoreAt: number, kind: KeyKind): void {
  // The operator sees a watermark only when it advances (as the valve in front of it forwards).
  const events: OpEvent[] = [];
  let id = 0;
  let w = Number.NEGATIVE_INFINITY;
  for (const s of steps) {
    if (s.kind === 'rec')
      events.push({ kind: 'rec', rec: { id: id++, key: s.key, v: s.v, ts: s.ts, split: 's' } });
    else if (s.w > w) events.push({ kind: 'wm', w: (w = s.w) });
  }
  events.push({ kind: 'wm', w: Number.POSITIVE_INFINITY });

  // Expected, step by step: the reference over each prefix, minus what the shorter prefix emitted.
  const expectedResults: string[][] = [];
  const expectedLate: number[][] = [];
  let firedBefore = 0;
  let lateBefore = 0;
  for (let i = 0; i < events.length; i++) {
    const { firings, late: lateRecs } = referenceWindows(events.slice(0, i + 1), c.def, c.lateness);
    const asKey = keyOf(kind);
    expectedResults.push(
      firings.slice(firedBefore).map((f) => c.expected({ ...f, key: String(asKey(f.key)) })),
    );
    expectedLate.push(lateRecs.slice(lateBefore).map((r) => r.id));
    firedBefore = firings.length;
    lateBefore = lateRecs.length;
  }

  const asKey = keyOf(kind);
  const options = { stateBackend: c.stateBackend ?? 'heap' };
  const harness = (build = c.build) =>
    KeyedOneInputHarness.of((r: Rec) => asKey(r.key), build, options);
  let h = harness();
  assert.ok(h.operator instanceof c.operator, `${c.name}: runs on ${h.operator.constructor.name}`);
  const closing: KeyedOneInputHarness<string | number, Rec, string>[] = [h];
  const results: string[][] = [];
  const lates: number[][] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  events.forEach((e, i) => {
    if (i === restoreAt) {
      const snapshot = h.snapshot();
      h = harness(c.restoreAs?.build);
      closing.push(h);
      const after = c.restoreAs?.operator ?? c.operator;
      assert.ok(
        h.operator instanceof after,
        `${c.name}: restored on ${h.operator.constructor.name}`,
      );
      h.restore(snapshot);
      // Watermarks are not state (as in Flink): after a restore the inputs send theirs again.
      // That one must not fire anything a second time.
      if (watermark > Number.NEGATIVE_INFINITY) h.processWatermark(watermark);
      assert.deepEqual(h.output(), [], `${c.name}: the restored watermark fired windows again`);
    }
    if (e.kind === 'wm') watermark = e.w;
    h.clearOutput();
    if (e.kind === 'rec') h.processElement(e.rec, e.rec.ts);
    else h.processWatermark(e.w);
    results.push(h.output());
    lates.push(h.sideOutput(late).map((r) => r.id));
  });
  for (const x of closing) void x.close();
  assert.deepEqual(perStep(results, lates), perStep(expectedResults, expectedLate), c.name);
}

for (const c of cases) {
  for (const kind of ['string', 'number'] as const) {
    test(`window operator, ${c.name}, ${kind} keys: emits what the reference emits, step by step, across a restore`, () => {
      fc.assert(
        fc.property(
          fc.array(stepArb, { minLength: 1, maxLength: 40 }),
          fc.nat({ max: 45 }),
          (steps, restoreAt) => runCase(c, steps, restoreAt, kind),
        ),
        { seed: 20261201, numRuns: 150 },
      );
    });
  }
}

/**
 * Processing-time tumbling windows (slicing operator since ADR 0030), with each function kind,
 * and a snapshot the general operator took (a custom trigger kept it there) restored into the
 * slicing operator: the open windows fire once, with their records from before and after.
 */
for (const stateBackend of ['heap', 'lmdb'] as const) {
  test(`window operator, processing-time tumbling on the slicing operator, restored from the general operator's snapshot (${stateBackend})`, async () => {
    const windowOf = (k: KeyedStream<string | number, Rec>, general: boolean) => {
      const w = k.window(TumblingProcessingTimeWindows.of(10));
      return general ? w.trigger(ProcessingTimeTrigger.create()) : w;
    };
    const builds = {
      process: (k: KeyedStream<string | number, Rec>, general: boolean) =>
        windowOf(k, general).process(describeWindow<Rec>(ids)),
      aggregate: (k: KeyedStream<string | number, Rec>, general: boolean) =>
        windowOf(k, general).aggregate(
          sumCount,
          describeWindow<string>((e) => e[0] ?? ''),
        ),
      reduce: (k: KeyedStream<string | number, Rec>, general: boolean) =>
        windowOf(k, general).reduce(
          (a, b) => ({ ...a, v: a.v + b.v }),
          describeWindow<Rec>((e) => String(e[0]?.v)),
        ),
    };
    const rec = (id: number, key: string, v: number): Rec => ({ id, key, v, ts: 0, split: 's' });
    for (const [fn, build] of Object.entries(builds)) {
      const harness = (general: boolean) =>
        KeyedOneInputHarness.of(
          (r: Rec) => r.key,
          (k) => build(k, general),
          { stateBackend },
        );
      const before = harness(true);
      assert.ok(before.operator instanceof WindowOperator, fn);
      before.setProcessingTime(3);
      before.processElement(rec(0, 'a', 1));
      before.processElement(rec(1, 'b', 2));
      before.setProcessingTime(12);
      before.processElement(rec(2, 'a', 4));
      assert.deepEqual(
        before.output().sort(),
        fn === 'process'
          ? ['a:0-10:0', 'b:0-10:1']
          : fn === 'aggregate'
            ? ['a:0-10:1/1', 'b:0-10:2/1']
            : ['a:0-10:1', 'b:0-10:2'],
        fn,
      );
      const snapshot = before.snapshot();
      await before.close();

      const after = harness(false);
      assert.ok(after.operator instanceof SlicingWindowOperator, fn);
      after.restore(snapshot);
      after.setProcessingTime(15);
      after.processElement(rec(3, 'a', 8));
      after.processElement(rec(4, 'c', 16));
      assert.deepEqual(after.output(), [], `${fn}: nothing fires before the window ends`);
      after.setProcessingTime(25);
      const expected = {
        process: ['a:10-20:2,3', 'c:10-20:4'],
        aggregate: ['a:10-20:12/2', 'c:10-20:16/1'],
        reduce: ['a:10-20:12', 'c:10-20:16'],
      }[fn];
      assert.deepEqual(
        after.output().sort(),
        expected,
        `${fn}: the window from before the restore fires once, whole`,
      );
      after.setProcessingTime(60);
      assert.deepEqual(after.output().sort(), expected, `${fn}: and only once`);
      await after.close();
    }
  });
}
