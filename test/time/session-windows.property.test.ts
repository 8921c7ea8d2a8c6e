/**
 * Property tests of the session window operator against the general window operator (the same
 * window with its default trigger set explicitly, which takes the general operator): after every
 * input step both have emitted the same firings, late records and dropped count. Cases cover event
 * and processing time, fixed and dynamic gaps, allowed lateness, every window function (with a
 * ProcessWindowFunction using per-window and global state), and checkpoint/restore mid-session,
 * with rescaling between parallelism 1 and 2 and on the heap and LMDB backends, also from what the
 * general operator saved (savepoints from before the session operator). Timestamps are
 * dense and out of order so that records bridge and touch sessions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  OutputTag,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  MapStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
  type DataStream,
  type KeyedStream,
  type ProcessWindowFunction,
  type TimeWindow,
} from '../../src/index.ts';
import { assignSubtaskState } from '../../src/runtime/checkpoint/state-assignment.ts';
import { SessionWindowOperator } from '../../src/runtime/operators/session-window-operator.ts';
import { WindowOperator } from '../../src/runtime/operators/window-operator.ts';
import { keyGroupOf, normalizeKey, subtaskForKeyGroup } from '../../src/state/key-groups.ts';
import { KeyedOneInputHarness, type HarnessSnapshot } from '../../src/testing/index.ts';

const SEED = 20261126;
const MAX_PARALLELISM = 128;
const dir = mkdtempSync(join(tmpdir(), 'eddy-sessions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Rec {
  readonly id: number;
  /** 'a' lands on subtask 1 of 2, 'b' and 'c' on subtask 0. */
  readonly key: string;
  readonly v: number;
}

type Fn = 'aggregate' | 'aggregate+process' | 'reduce' | 'reduce+process' | 'process';
type Backend = 'heap' | 'lmdb';

interface Case {
  readonly time: 'event' | 'processing';
  /** A fixed gap, or 'dynamic' (1.5·v: fractional gaps too). */
  readonly gap: number | 'dynamic';
  readonly lateness: number;
  readonly lateTag: boolean;
  readonly fn: Fn;
}

type Step =
  | {
      readonly kind: 'rec';
      readonly key: string;
      readonly v: number;
      readonly ts: number;
      /** Near the key's previous record: `ts` is an offset of −10 … +10 from it (sessions bridge). */
      readonly near: boolean;
    }
  /** Event time: a watermark (absolute, or relative to the last record); processing time: the clock moves by `w`. */
  | { readonly kind: 'wm'; readonly w: number; readonly relative: boolean }
  | {
      readonly kind: 'restore';
      readonly parallelism: 1 | 2;
      readonly backend: Backend;
      /** The session operator restores what the general one saved (a savepoint from before it). */
      readonly upgrade: boolean;
    };

const SUM: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (r, acc) => acc + r.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};
/** Order-insensitive, so merge order cannot decide a result. */
const sumRecs = (a: Rec, b: Rec): Rec => ({ id: Math.min(a.id, b.id), key: a.key, v: a.v + b.v });
const dynamicGap = (r: Rec): number => 1.5 * r.v;

/** Firings per window, kept per key: sessions have no per-window state (as in Flink). */
const FIRINGS = new MapStateDescriptor<string, number>('firings');
const TOTAL = new ValueStateDescriptor<number>('total');

/** Labels a firing with its window, its contents, how often this window fired and this key did. */
function describing<E>(
  body: (elements: readonly E[]) => string,
): ProcessWindowFunction<E, string, string, TimeWindow> {
  return {
    process(key, ctx, elements, out) {
      const firings = ctx.globalState().getMapState(FIRINGS);
      const w = `${ctx.window.start}-${ctx.window.end}`;
      const n = (firings.get(w) ?? 0) + 1;
      firings.put(w, n);
      const total = ctx.globalState().getState(TOTAL);
      const all = (total.value() ?? 0) + 1;
      total.update(all);
      out.collect(`${key}|${ctx.window.start}|${ctx.window.end}|${body(elements)}|#${n}|${all}`);
    },
    clear(ctx) {
      ctx.globalState().getMapState(FIRINGS).remove(`${ctx.window.start}-${ctx.window.end}`);
    },
  };
}

const LATE = new OutputTag<Rec>('late');

/** Window functions emit numbers, records or strings; the comparison reads them all as JSON. */
const untyped = <T>(s: DataStream<T>): DataStream<unknown> => s as unknown as DataStream<unknown>;

function build(c: Case, general: boolean) {
  return (keyed: KeyedStream<string, Rec>): DataStream<unknown> => {
    const w =
      c.time === 'event'
        ? keyed.window(
            c.gap === 'dynamic'
              ? EventTimeSessionWindows.withDynamicGap(dynamicGap)
              : EventTimeSessionWindows.withGap<Rec>(c.gap),
          )
        : keyed.window(
            c.gap === 'dynamic'
              ? ProcessingTimeSessionWindows.withDynamicGap(dynamicGap)
              : ProcessingTimeSessionWindows.withGap<Rec>(c.gap),
          );
    // Setting the default trigger explicitly makes it a custom trigger: the general operator.
    if (general)
      w.trigger(c.time === 'event' ? EventTimeTrigger.create() : ProcessingTimeTrigger.create());
    w.allowedLateness(c.lateness);
    if (c.lateTag) w.sideOutputLateData(LATE);
    switch (c.fn) {
      case 'aggregate':
        return untyped(w.aggregate(SUM));
      case 'aggregate+process':
        return untyped(
          w.aggregate(
            SUM,
            describing<number>((sums) => `Σ${sums[0]}`),
          ),
        );
      case 'reduce':
        return untyped(w.reduce(sumRecs));
      case 'reduce+process':
        return untyped(
          w.reduce(
            sumRecs,
            describing<Rec>((rs) => `Σ${(rs[0] as Rec).v}`),
          ),
        );
      case 'process':
        return untyped(
          w.process(
            describing<Rec>((rs) =>
              rs
                .map((r) => r.id)
                .sort((a, b) => a - b)
                .join(','),
            ),
          ),
        );
    }
  };
}

type Harness = KeyedOneInputHarness<string, Rec, unknown>;

/** One side of the comparison: the operator at some parallelism, restored as the steps say. */
class Side {
  private harnesses: Harness[] = [];
  private readonly retired = { out: [] as string[], late: [] as number[], dropped: 0 };
  private clock = 0;

  constructor(
    private readonly c: Case,
    private readonly general: boolean,
  ) {}

  async open(): Promise<void> {
    const h = this.create(0, 1, 'heap');
    await h.open();
    this.harnesses = [h];
  }

  private create(index: number, parallelism: number, backend: Backend): Harness {
    const h = KeyedOneInputHarness.of((r: Rec) => r.key, build(this.c, this.general), {
      subtaskIndex: index,
      parallelism,
      maxParallelism: MAX_PARALLELISM,
      stateBackend: backend,
      stateDir: dir,
      processingTime: this.clock,
    });
    const expected = this.general ? WindowOperator : SessionWindowOperator;
    assert.ok(h.operator instanceof expected, `${this.general ? 'general' : 'session'} operator`);
    return h;
  }

  element(r: Rec, ts: number): void {
    const p = this.harnesses.length;
    const h = this.harnesses[
      subtaskForKeyGroup(keyGroupOf(normalizeKey(r.key), MAX_PARALLELISM), p, MAX_PARALLELISM)
    ] as Harness;
    h.processElement(r, ts);
  }

  watermark(w: number): void {
    for (const h of this.harnesses) h.processWatermark(w);
  }

  advanceClock(to: number): void {
    this.clock = to;
    for (const h of this.harnesses) h.setProcessingTime(to);
  }

  /** A snapshot of every subtask, as a checkpoint takes them. */
  snapshots(): HarnessSnapshot[] {
    return this.harnesses.map((h) => h.snapshot());
  }

  /** Replaces the subtasks by `parallelism` new ones that restore `snaps`. */
  async restore(parallelism: number, backend: Backend, snaps: HarnessSnapshot[]): Promise<void> {
    const subtasks = snaps.map((s) => ({ keyGroups: s.keyedState, timers: s.timers }));
    const saved = {
      meta: {
        key: 'sessions',
        uid: undefined,
        nodeId: 0,
        name: 'sessions',
        kind: 'window',
        parallelism: snaps.length,
        keyed: true,
        distribution: 'split' as const,
        subtasks: [],
      },
      subtasks,
    };
    for (const h of this.harnesses) {
      this.retired.out.push(...describeOutput(h));
      this.retired.late.push(...h.sideOutput(LATE).map((r) => r.id));
      this.retired.dropped += dropped(h);
      await h.close();
    }
    this.harnesses = [];
    for (let i = 0; i < parallelism; i++) {
      const h = this.create(i, parallelism, backend);
      const mine = assignSubtaskState(saved, i, parallelism, MAX_PARALLELISM);
      const snapshot: HarnessSnapshot = {
        operator: 'sessions',
        keyedState: mine.keyGroups ?? [],
        timers: mine.timers ?? { eventTime: [], processingTime: [] },
        operatorState: undefined,
      };
      h.restore(snapshot);
      await h.open();
      this.harnesses.push(h);
    }
  }

  /** Everything emitted so far, sorted. */
  observed(): { out: string[]; late: number[]; dropped: number } {
    const out = [...this.retired.out];
    const late = [...this.retired.late];
    let d = this.retired.dropped;
    for (const h of this.harnesses) {
      out.push(...describeOutput(h));
      late.push(...h.sideOutput(LATE).map((r) => r.id));
      d += dropped(h);
    }
    return { out: out.sort(), late: late.sort((a, b) => a - b), dropped: d };
  }

  /** Keys with more than one pending timer (the session operator keeps one per key). */
  keysWithSeveralTimers(): string[] {
    const several: string[] = [];
    for (const h of this.harnesses) {
      const t = h.timers();
      const seen = new Set<string>();
      for (const e of [...t.eventTime, ...t.processingTime]) {
        if (seen.has(e.key)) several.push(e.key);
        seen.add(e.key);
      }
    }
    return several;
  }

  async close(): Promise<void> {
    for (const h of this.harnesses) await h.close();
  }
}

function describeOutput(h: Harness): string[] {
  return h.outputWithTimestamps().map((o) => `${o.timestamp}:${JSON.stringify(o.value)}`);
}

function dropped(h: Harness): number {
  return (h.metrics()['late_records_dropped'] as number | undefined) ?? 0;
}

const caseArb = (time: 'event' | 'processing'): fc.Arbitrary<Case> =>
  fc.record({
    time: fc.constant(time),
    gap: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant('dynamic' as const)),
    lateness: time === 'event' ? fc.constantFrom(0, 0, 3, 10) : fc.constant(0),
    lateTag: fc.boolean(),
    fn: fc.constantFrom<Fn>(
      'aggregate',
      'aggregate+process',
      'reduce',
      'reduce+process',
      'process',
    ),
  });

const stepsArb = (time: 'event' | 'processing'): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record({
          kind: fc.constant('rec' as const),
          key: fc.constantFrom('a', 'a', 'a', 'b', 'c'),
          v: fc.integer({ min: 1, max: 5 }),
          ts: fc.integer({ min: 0, max: 40 }),
          near: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('wm' as const),
          w: time === 'event' ? fc.integer({ min: -3, max: 12 }) : fc.integer({ min: 0, max: 8 }),
          relative: time === 'event' ? fc.boolean() : fc.constant(true),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('restore' as const),
          parallelism: fc.constantFrom<1 | 2>(1, 2),
          backend: fc.constantFrom<Backend>('heap', 'lmdb'),
          upgrade: fc.boolean(),
        }),
      },
    ),
    { maxLength: 60, size: 'max' },
  );

async function check(c: Case, steps: readonly Step[]): Promise<void> {
  const sides = [new Side(c, true), new Side(c, false)] as const;
  const [general, session] = sides;
  try {
    for (const side of sides) await side.open();
    let id = 0;
    let lastTs = 0;
    const lastOfKey = new Map<string, number>();
    let wm = Number.NEGATIVE_INFINITY;
    let clock = 0;
    const compare = (what: string) => {
      assert.deepEqual(session.observed(), general.observed(), what);
      assert.deepEqual(session.keysWithSeveralTimers(), [], `one timer per key ${what}`);
    };
    for (const [n, s] of steps.entries()) {
      switch (s.kind) {
        case 'rec': {
          const r: Rec = { id: id++, key: s.key, v: s.v };
          const ts = s.near ? Math.max(0, (lastOfKey.get(s.key) ?? 0) + (s.ts % 21) - 10) : s.ts;
          lastTs = ts;
          lastOfKey.set(s.key, ts);
          for (const side of sides) side.element(r, ts);
          break;
        }
        case 'wm':
          if (c.time === 'processing') {
            clock += s.w;
            for (const side of sides) side.advanceClock(clock);
          } else {
            // Watermarks only advance (the input gate's valve does the same in a job).
            const w = s.relative ? lastTs + s.w : s.w;
            if (w <= wm) break;
            wm = w;
            for (const side of sides) side.watermark(w);
          }
          break;
        case 'restore':
          // A restored subtask starts without a watermark, as after a failure.
          wm = Number.NEGATIVE_INFINITY;
          {
            const saved = general.snapshots();
            const own = s.upgrade ? saved : session.snapshots();
            await general.restore(s.parallelism, s.backend, saved);
            await session.restore(s.parallelism, s.backend, own);
          }
          break;
      }
      compare(`after step ${n} (${s.kind})`);
    }
    if (c.time === 'event') for (const side of sides) side.watermark(Number.POSITIVE_INFINITY);
    else for (const side of sides) side.advanceClock(clock + 1000);
    compare('at the end');
  } finally {
    for (const side of sides) await side.close();
  }
}

test('event-time sessions: the session operator matches the general operator step by step', async () => {
  await fc.assert(fc.asyncProperty(caseArb('event'), stepsArb('event'), check), {
    seed: SEED,
    numRuns: 500,
  });
});

test('processing-time sessions: the session operator matches the general operator step by step', async () => {
  await fc.assert(fc.asyncProperty(caseArb('processing'), stepsArb('processing'), check), {
    seed: SEED,
    numRuns: 200,
  });
});
