/**
 * Evictors (Flink's evicting window operator) through the real runtime against a brute-force
 * reference of Flink's semantics: a global window per key, a count trigger that fires every `n`
 * records without purging, `evictBefore` picking what the function sees, `evictAfter` picking what
 * stays for the next firing. Run: node --import tsx --test test/time/evictors.property.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  GlobalWindows,
  StreamEnvironment,
  TimeEvictor,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Evictor,
  type TimestampedValue,
} from '../../src/index.ts';
import { KeyedOneInputHarness } from '../../src/testing/index.ts';

interface Rec {
  readonly key: string;
  readonly v: number;
  readonly ts: number;
}

type EvictorCase =
  | { readonly kind: 'count'; readonly max: number; readonly after: boolean }
  | { readonly kind: 'time'; readonly size: number; readonly after: boolean }
  | { readonly kind: 'delta'; readonly threshold: number; readonly after: boolean };

type Fn = 'process' | 'reduce' | 'aggregate';

const evictorArb: fc.Arbitrary<EvictorCase> = fc.oneof(
  fc.record({
    kind: fc.constant('count' as const),
    max: fc.integer({ min: 1, max: 5 }),
    after: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('time' as const),
    size: fc.integer({ min: 0, max: 15 }),
    after: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('delta' as const),
    threshold: fc.integer({ min: 1, max: 10 }),
    after: fc.boolean(),
  }),
);

const recordsArb = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b'),
    v: fc.integer({ min: -10, max: 10 }),
    ts: fc.integer({ min: 0, max: 40 }),
  }),
  { maxLength: 60 },
);

function evictorOf(c: EvictorCase): Evictor<Rec> {
  if (c.kind === 'count') return CountEvictor.of(c.max, c.after);
  if (c.kind === 'time') return TimeEvictor.of(c.size, c.after);
  return DeltaEvictor.of(c.threshold, (a: Rec, b: Rec) => Math.abs(a.v - b.v), c.after);
}

/** Flink's rule for each evictor, written out plainly. */
function evict(c: EvictorCase, records: TimestampedValue<Rec>[]): TimestampedValue<Rec>[] {
  if (c.kind === 'count') return records.slice(Math.max(0, records.length - c.max));
  if (c.kind === 'time') {
    const newest = Math.max(...records.map((r) => r.timestamp));
    return records.filter((r) => r.timestamp > newest - c.size);
  }
  const last = records[records.length - 1];
  if (last === undefined) return records;
  return records.filter((r) => Math.abs(r.value.v - last.value.v) < c.threshold);
}

function result(fn: Fn, key: string, seen: readonly Rec[]): string {
  if (fn === 'process') return `${key}:${seen.map((r) => r.v).join(',')}`;
  const sum = seen.reduce((s, r) => s + r.v, 0);
  return fn === 'reduce' ? `${key}:sum=${sum}` : `${key}:n=${seen.length},sum=${sum}`;
}

function reference(records: readonly Rec[], every: number, c: EvictorCase, fn: Fn): string[] {
  const windows = new Map<string, { records: TimestampedValue<Rec>[]; count: number }>();
  const out: string[] = [];
  for (const r of records) {
    const w = windows.get(r.key) ?? { records: [], count: 0 };
    windows.set(r.key, w);
    w.records.push({ value: r, timestamp: r.ts });
    if (++w.count < every) continue;
    w.count = 0;
    const seen = c.after ? w.records : evict(c, w.records);
    if (seen.length > 0)
      out.push(
        result(
          fn,
          r.key,
          seen.map((x) => x.value),
        ),
      );
    w.records = c.after ? evict(c, seen) : seen;
  }
  return out;
}

async function run(records: readonly Rec[], every: number, c: EvictorCase, fn: Fn) {
  const env = StreamEnvironment.create();
  const windowed = env
    .fromCollection(records)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts),
    )
    .keyBy((r) => r.key)
    .window(GlobalWindows.create())
    .trigger(CountTrigger.of(every))
    .evictor(evictorOf(c));
  if (fn === 'process') {
    return windowed
      .process<string>((key, _ctx, els, o) => o.collect(result(fn, key, els)))
      .executeAndCollect();
  }
  if (fn === 'reduce') {
    return windowed
      .reduce((a, b) => ({ key: a.key, v: a.v + b.v, ts: b.ts }))
      .map((r) => `${r.key}:sum=${r.v}`)
      .executeAndCollect();
  }
  // An aggregate with a process function, which labels the result with its key.
  interface Acc {
    readonly n: number;
    readonly sum: number;
  }
  return windowed
    .aggregate<Acc, Acc, string>(
      {
        createAccumulator: () => ({ n: 0, sum: 0 }),
        add: (r, acc) => ({ n: acc.n + 1, sum: acc.sum + r.v }),
        getResult: (acc) => acc,
      },
      (key, _ctx, results, o) => {
        const a = results[0] as Acc;
        o.collect(`${key}:n=${a.n},sum=${a.sum}`);
      },
    )
    .executeAndCollect();
}

test('evictors match Flink semantics (count, time, delta; before and after; process, reduce, aggregate)', async () => {
  await fc.assert(
    fc.asyncProperty(
      recordsArb,
      fc.integer({ min: 1, max: 4 }),
      evictorArb,
      fc.constantFrom<Fn>('process', 'reduce', 'aggregate'),
      async (records, every, c, fn) => {
        const sorted = [...records].sort((a, b) => a.ts - b.ts);
        assert.deepEqual(await run(sorted, every, c, fn), reference(sorted, every, c, fn));
      },
    ),
    { numRuns: 200, seed: 20261126 },
  );
});

test('countWindow(size, slide): every `slide` records of a key, its last `size` records', async () => {
  await fc.assert(
    fc.asyncProperty(
      recordsArb,
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      async (records, size, slide) => {
        const env = StreamEnvironment.create();
        const out = await env
          .fromCollection(records)
          .keyBy((r) => r.key)
          .countWindow(size, slide)
          .process<string>((key, _ctx, els, o) => o.collect(result('process', key, els)))
          .executeAndCollect();
        const expected: string[] = [];
        const seen = new Map<string, Rec[]>();
        for (const r of records) {
          const list = [...(seen.get(r.key) ?? []), r];
          seen.set(r.key, list);
          if (list.length % slide === 0) expected.push(result('process', r.key, list.slice(-size)));
        }
        assert.deepEqual(out, expected);
      },
    ),
    { numRuns: 150, seed: 20261126 },
  );
});

test('an evicting window keeps its records across a snapshot and restore', async () => {
  const build = () =>
    KeyedOneInputHarness.of(
      (r: Rec) => r.key,
      (keyed) =>
        keyed
          .window(TumblingEventTimeWindows.of(100))
          .evictor(CountEvictor.of(2))
          .process<string>((key, _ctx, els, o) =>
            o.collect(`${key}:${els.map((e) => e.v).join(',')}`),
          ),
    );
  const h = build();
  await h.open();
  h.processElement({ key: 'a', v: 1, ts: 1 }, 1);
  h.processElement({ key: 'a', v: 2, ts: 2 }, 2);
  const snapshot = h.snapshot();
  const restored = build();
  restored.restore(snapshot);
  await restored.open();
  restored.processElement({ key: 'a', v: 3, ts: 3 }, 3);
  restored.processWatermark(200);
  // The window fires with its last two records: one of them came through the snapshot.
  assert.deepEqual(restored.output(), ['a:2,3']);
});
