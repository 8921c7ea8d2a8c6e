/**
 * Processing-time windows against the brute-force reference: a processing-time window is an
 * event-time window whose timestamps are arrival times and whose watermark is the clock. Records
 * arrive on a virtual clock (runPipeline + TestSource), so runs are exact and reproducible.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  PrintSink,
  ProcessingTimeSessionWindows,
  SlidingProcessingTimeWindows,
  TumblingProcessingTimeWindows,
  type AggregateFunction,
  type ProcessWindowFunction,
  type StreamEnvironment,
  type TimeWindow,
} from '../../src/index.ts';
import { TestSource, runPipeline, type TestStep } from '../../src/testing/index.ts';
import { referenceWindows, type OpEvent, type Rec, type WindowDef } from './window-reference.ts';

interface Click {
  readonly id: number;
  readonly key: string;
  readonly v: number;
}

type Kind =
  | { readonly kind: 'tumbling'; readonly size: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly slide: number }
  | { readonly kind: 'session'; readonly gap: number };

const describeFiring: ProcessWindowFunction<Click, string, string, TimeWindow> = {
  process(key, ctx, elements, out) {
    const ids = elements.map((e) => e.id).sort((a, b) => a - b);
    out.collect(`${key}|${ctx.window.start}|${ctx.window.end}|${ids.join(',')}`);
  },
};

/**
 * The same description from an incremental function (its accumulator collects the ids): tumbling
 * windows with one run on the slicing operator, the others on the general one.
 */
const collectIds: AggregateFunction<Click, number[], number[]> = {
  createAccumulator: () => [],
  add: (c, ids) => {
    ids.push(c.id);
    return ids;
  },
  getResult: (ids) => ids,
  merge: (a, b) => a.concat(b),
};

type Fn = 'process' | 'aggregate';

function build(kind: Kind, fn: Fn) {
  return (env: StreamEnvironment): void => {
    const keyed = env.fromCollection<Click>([], 'clicks').keyBy((c) => c.key);
    const windowed =
      kind.kind === 'tumbling'
        ? keyed.window(TumblingProcessingTimeWindows.of(kind.size))
        : kind.kind === 'sliding'
          ? keyed.window(SlidingProcessingTimeWindows.of(kind.size, kind.slide))
          : keyed.window(ProcessingTimeSessionWindows.withGap(kind.gap));
    const described =
      fn === 'process'
        ? windowed.process(describeFiring)
        : windowed.aggregate<number[], number[], string>(collectIds, (key, ctx, [ids], out) =>
            describeFiring.process(
              key,
              ctx,
              (ids ?? []).map((id) => ({ id, key, v: 1 })),
              out,
            ),
          );
    described.sinkTo(new PrintSink<string>()).name('out');
  };
}

/** Arrivals must avoid a window's last millisecond: `t ≡ size − 1 (mod slide)`; see below. */
function lastMillisecond(kind: Kind): { readonly every: number; readonly at: number } | undefined {
  if (kind.kind === 'session') return undefined;
  const slide = kind.kind === 'sliding' ? kind.slide : kind.size;
  return { every: slide, at: (kind.size - 1) % slide };
}

const kinds = fc.oneof(
  fc.integer({ min: 2, max: 40 }).map((size): Kind => ({ kind: 'tumbling', size })),
  fc
    .tuple(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 4 }))
    .map(([slide, k]): Kind => ({ kind: 'sliding', size: slide * k + (k > 1 ? 1 : 0), slide })),
  fc.integer({ min: 2, max: 30 }).map((gap): Kind => ({ kind: 'session', gap })),
);

const scripts = fc.array(
  fc.record({
    advance: fc.integer({ min: 0, max: 50 }),
    keys: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 25 },
);

test('processing-time tumbling, sliding and session windows match the reference', async () => {
  await fc.assert(
    fc.asyncProperty(
      kinds,
      scripts,
      fc.constantFrom<Fn>('process', 'aggregate'),
      async (kind, script, fn) => {
        const steps: TestStep<Click>[] = [];
        const events: OpEvent[] = [];
        const last = lastMillisecond(kind);
        let clock = 0;
        let id = 0;
        for (const s of script) {
          clock += s.advance;
          // A record arriving exactly at a window's last millisecond would race its firing timer;
          // Flink leaves that order open too, so the arrivals avoid it.
          // (A clock step without arrivals may land there: the window fires exactly then.)
          if (s.keys.length > 0 && last !== undefined && clock % last.every === last.at) clock++;
          steps.push({ processingTime: clock });
          events.push({ kind: 'wm', w: clock });
          const records = s.keys.map((key): Click => ({ id: id++, key, v: 1 }));
          if (records.length > 0) steps.push({ records });
          for (const r of records) {
            const rec: Rec = { id: r.id, key: r.key, v: r.v, ts: clock, split: 's' };
            events.push({ kind: 'rec', rec });
          }
        }
        const def: WindowDef =
          kind.kind === 'session'
            ? { kind: 'session', gapOf: () => kind.gap }
            : {
                kind: 'aligned',
                size: kind.size,
                slide: kind.kind === 'sliding' ? kind.slide : kind.size,
              };
        const expected = referenceWindows(events, def, 0).firings.map(
          (f) =>
            `${f.key}|${f.start}|${f.end}|${f.recs
              .map((r) => r.id)
              .sort((a, b) => a - b)
              .join(',')}`,
        );
        const r = await runPipeline(build(kind, fn), {
          sources: { clicks: TestSource.steps(steps) },
          bounded: false,
        });
        assert.deepEqual([...(r.sink('out') as string[])].sort(), expected.sort());
      },
    ),
    { seed: 20261125, numRuns: 200 },
  );
});
