/** Event-time edge cases, each its own test, through the real runtime. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EddyError,
  EventTimeSessionWindows,
  OutputTag,
  StreamEnvironment,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  type ProcessWindowContext,
  type Collector,
  type TimeWindow,
} from '../../src/index.ts';
import { WatermarkValve } from '../../src/runtime/watermark-valve.ts';
import { normalizeKey } from '../../src/state/key-groups.ts';
import { ScriptedSource, active, idle, rec, wm, type ScriptStep } from './scripted-source.ts';

interface E {
  readonly k: string;
  readonly t: number;
}
const e = (t: number, k = 'a'): E => ({ k, t });
const r = (t: number, split?: string, k = 'a'): ScriptStep<E> => rec(e(t, k), t, split);

/** Runs a tumbling/session window over a script; returns "start-end:ts,ts@watermark" per firing. */
async function windows(
  script: ScriptStep<E>[],
  assigner: TumblingEventTimeWindows | EventTimeSessionWindows<E>,
  lateness = 0,
): Promise<{ fired: string[]; late: number[]; dropped: number }> {
  const env = StreamEnvironment.create();
  const lateTag = new OutputTag<E>('late');
  const w = env
    .fromSource(new ScriptedSource(script, 1))
    .keyBy((x) => x.k)
    .window(assigner)
    .allowedLateness(lateness)
    .sideOutputLateData(lateTag);
  const main = w.process<string>((_k, ctx: ProcessWindowContext<TimeWindow>, els, out) =>
    out.collect(
      `${ctx.window.start}-${ctx.window.end}:${els.map((x) => x.t).join(',')}@${ctx.currentWatermark()}`,
    ),
  );
  const late: number[] = [];
  main.getSideOutput(lateTag).sinkTo((x: E) => void late.push(x.t));
  const fired = await main.executeAndCollect();
  return { fired, late, dropped: 0 };
}

test('a record exactly at a window end belongs to the next window', async () => {
  const { fired } = await windows(
    [r(0), r(9), r(10), r(19), r(20)],
    TumblingEventTimeWindows.of(10),
  );
  assert.deepEqual(fired, ['0-10:0,9@Infinity', '10-20:10,19@Infinity', '20-30:20@Infinity']);
});

test('a record that bridges two sessions merges them into one', async () => {
  const { fired } = await windows(
    [r(0), r(25), wm<E>(5), r(12)],
    EventTimeSessionWindows.withGap<E>(13),
  );
  // [0,13) and [25,38) are separate until 12 arrives: [12,25) touches both.
  assert.deepEqual(fired, ['0-38:0,25,12@Infinity']);
});

test('a bridging record merges sessions for an aggregate too (accumulators merge)', async () => {
  const env = StreamEnvironment.create();
  const out = await env
    .fromSource(new ScriptedSource([r(0), r(25), r(12), r(100)], 1))
    .keyBy((x) => x.k)
    .window(EventTimeSessionWindows.withGap<E>(13))
    .aggregate(
      {
        createAccumulator: () => 0,
        add: (_x: E, n: number) => n + 1,
        getResult: (n: number) => n,
        merge: (a: number, b: number) => a + b,
      },
      (_k, ctx: ProcessWindowContext<TimeWindow>, counts, o) =>
        o.collect(`${ctx.window.start}-${ctx.window.end}=${counts[0]}`),
    )
    .executeAndCollect();
  assert.deepEqual(out, ['0-38=3', '100-113=1']);
});

test('a record exactly at the lateness bound: the last accepted one re-fires, the next is late', async () => {
  // Window [0,10) ends at 9; lateness 5 keeps it until the watermark reaches 14.
  const { fired, late } = await windows(
    [r(1), wm<E>(9), wm<E>(13), r(2), wm<E>(14), r(3)],
    TumblingEventTimeWindows.of(10),
    5,
  );
  assert.deepEqual(fired, ['0-10:1@9', '0-10:1,2@13']);
  assert.deepEqual(late, [3]);
});

test('lateness 0: a record at window end - 1 == watermark is late; one later is not', async () => {
  const { fired, late } = await windows(
    [r(5), wm<E>(9), r(9), r(10)],
    TumblingEventTimeWindows.of(10),
  );
  assert.deepEqual(late, [9]);
  assert.deepEqual(fired, ['0-10:5@9', '10-20:10@Infinity']);
});

test('late records are dropped and counted when there is no late side output', async () => {
  const env = StreamEnvironment.create();
  const out = env
    .fromSource(new ScriptedSource([r(1), wm<E>(19), r(2), r(19), r(25)], 1))
    .keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(10))
    .reduce((a, b) => ({ k: a.k, t: a.t + b.t }));
  const values: E[] = [];
  out.sinkTo((x: E) => void values.push(x));
  const client = env.executeAsync('late-count');
  await client.result;
  assert.deepEqual(values, [e(1), e(25)]);
  const metrics = await client.metricsText();
  assert.match(metrics, /late_records_dropped(_total)?\{[^}]*operator="Window[^}]*\} 2/);
});

test('an idle split does not hold back the watermark, and holds it again when it resumes', async () => {
  const { fired } = await windows(
    [
      r(5, 's1'),
      wm<E>(100, 's1'),
      wm<E>(-1, 's2'),
      idle<E>('s2'), // s1 alone decides: 100
      active<E>('s2'), // s2 is back at -1: the output stays at 100 but can no longer advance
      r(150, 's1'),
      wm<E>(200, 's1'),
      wm<E>(170, 's2'), // now min(200, 170)
    ],
    TumblingEventTimeWindows.of(10),
  );
  assert.deepEqual(fired, ['0-10:5@100', '150-160:150@170']);
});

test('a watermark before any record: early records are late, later ones window normally', async () => {
  const { fired, late } = await windows([wm<E>(50), r(40), r(60)], TumblingEventTimeWindows.of(10));
  assert.deepEqual(late, [40]);
  assert.deepEqual(fired, ['60-70:60@Infinity']);
});

test('the valve: min over active channels; a channel that resumes behind does not stall others', () => {
  const out: number[] = [];
  const idles: boolean[] = [];
  const v = new WatermarkValve(
    2,
    (w) => out.push(w),
    (i) => idles.push(i),
  );
  v.watermark(0, 10);
  v.watermark(1, 5);
  assert.deepEqual(out, [5]);
  v.setIdle(1, true);
  assert.deepEqual(out, [5, 10]);
  v.watermark(0, 20);
  v.setIdle(1, false); // back at 5, behind 20: not aligned
  v.watermark(0, 30);
  assert.deepEqual(out, [5, 10, 20, 30]);
  v.watermark(1, 25); // still behind
  v.watermark(1, 35); // caught up: aligned again
  v.watermark(0, 50);
  assert.deepEqual(out, [5, 10, 20, 30, 35]);
  v.setIdle(0, true);
  v.setIdle(1, true); // all idle: jump to the furthest channel, report idle
  assert.deepEqual(out, [5, 10, 20, 30, 35, 50]);
  assert.deepEqual(idles, [true]);
});

test('timers: one per key and timestamp, in timestamp order, key and state in scope, deletion', async () => {
  const env = StreamEnvironment.create();
  const count = new ValueStateDescriptor<number>('n');
  const out = await env
    .fromSource(
      new ScriptedSource(
        [r(1, undefined, 'a'), r(2, undefined, 'b'), r(3, undefined, 'a'), wm<E>(15)],
        1,
      ),
    )
    .keyBy((x) => x.k)
    .process<string>({
      processElement(x, ctx) {
        const s = ctx.getState(count);
        s.update((s.value() ?? 0) + 1);
        const ts = ctx.timerService();
        ts.registerEventTimeTimer(20);
        ts.registerEventTimeTimer(20); // same key + time: fires once
        ts.registerEventTimeTimer(x.k === 'a' ? 10 : 5);
        if (x.t === 3) ts.deleteEventTimeTimer(10);
      },
      onTimer(t, ctx, o) {
        o.collect(
          `${t}:${ctx.getCurrentKey()}:${ctx.getState(count).value()}:${ctx.timerService().currentWatermark()}`,
        );
      },
    })
    .executeAndCollect();
  assert.deepEqual(out, ['5:b:1:15', '20:a:2:Infinity', '20:b:1:Infinity']);
});

test('per-window state: counts re-firings of one window, and clear() drops it with the window', async () => {
  const firings = new ValueStateDescriptor<number>('firings');
  const seenBefore: (number | undefined)[] = [];
  const env = StreamEnvironment.create();
  const fired = await env
    .fromSource(new ScriptedSource([r(1), r(2), wm<E>(10), r(3), r(4), wm<E>(30), r(25)], 1))
    .keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(10))
    .allowedLateness(20)
    .process<string>({
      process(_k, ctx, els, out) {
        const state = ctx.windowState().getState(firings);
        seenBefore.push(state.value());
        const n = (state.value() ?? 0) + 1;
        state.update(n);
        out.collect(`${ctx.window.start}:${els.length}#${n}`);
      },
      clear(ctx) {
        ctx.windowState().getState(firings).clear();
      },
    })
    .executeAndCollect();
  // Window 0-10 fires on time and re-fires for each of the two late records (its own state);
  // window 20-30 starts from nothing.
  assert.deepEqual(fired, ['0:2#1', '0:3#2', '0:4#3', '20:1#1']);
  assert.deepEqual(seenBefore, [undefined, 1, 2, undefined]);
});

test('a tumbling window of all records (slicing operator): per-window state starts empty in each window and clear() follows each firing, keyed and windowAll', async () => {
  const firings = new ValueStateDescriptor<number>('firings');
  const script = [r(1), r(2, undefined, 'b'), r(3), wm<E>(10), r(12), r(15, undefined, 'b'), r(21)];
  const run = async (all: boolean) => {
    const events: string[] = [];
    const fn = {
      process(
        k: string | undefined,
        ctx: ProcessWindowContext<TimeWindow>,
        els: readonly E[],
        out: Collector<string>,
      ) {
        const state = ctx.windowState().getState(firings);
        events.push(`fire ${k ?? '*'}@${ctx.window.start} saw ${state.value() ?? '-'}`);
        state.update(els.length);
        out.collect(`${k ?? '*'}@${ctx.window.start}:${els.map((x) => x.t).join(',')}`);
      },
      clear(ctx: ProcessWindowContext<TimeWindow>) {
        events.push(`clear@${ctx.window.start} had ${ctx.windowState().getState(firings).value()}`);
        ctx.windowState().getState(firings).clear();
      },
    };
    const env = StreamEnvironment.create();
    const source = env.fromSource(new ScriptedSource(script, 1));
    const out = all
      ? source
          .windowAll(TumblingEventTimeWindows.of(10))
          .process<string>((ctx, els, o) =>
            fn.process(undefined, ctx as ProcessWindowContext<TimeWindow>, els, o),
          )
      : source
          .keyBy((x) => x.k)
          .window(TumblingEventTimeWindows.of(10))
          .process<string>({ process: fn.process, clear: fn.clear });
    return { out: (await out.executeAndCollect()).sort(), events };
  };
  const keyed = await run(false);
  assert.deepEqual(keyed.out, ['a@0:1,3', 'a@10:12', 'a@20:21', 'b@0:2', 'b@10:15']);
  assert.deepEqual(
    keyed.events.filter((x) => x.startsWith('fire')),
    keyed.events.filter((x) => x.startsWith('fire')).map((x) => x.replace(/saw .*/, 'saw -')),
    'every window starts with empty per-window state',
  );
  assert.equal(keyed.events.filter((x) => x.startsWith('clear')).length, 5);
  for (const c of keyed.events.filter((x) => x.startsWith('clear')))
    assert.match(c, /had [12]$/, 'clear sees the state of the window it clears');
  const all = await run(true);
  assert.deepEqual(all.out, ['*@0:1,2,3', '*@10:12,15', '*@20:21']);
});

test('a sliced window keeps keys apart whatever their form: numbers, strings, strings starting with NUL, objects', async () => {
  // Numbers and plain strings take the slices' table directly; the others go through the
  // backend's normalization. None may meet another's slices — not even a string spelled like
  // another key's normalized form.
  const keys: unknown[] = [1, '1', 'a', '\u0000a', '\u0000"a"', { a: 1 }, { a: '1' }, [1]];
  keys.push(normalizeKey({ a: 1 }), normalizeKey('\u0000a'));
  const script: ScriptStep<E>[] = [];
  for (let t = 0; t < 30; t++) script.push(r(t, undefined, String(t % keys.length)));
  const env = StreamEnvironment.create();
  const out = await env
    .fromSource(new ScriptedSource(script, 4))
    .keyBy((x) => keys[Number(x.k)])
    .window(TumblingEventTimeWindows.of(10))
    .aggregate<number, number, string>(
      { createAccumulator: () => 0, add: (_x, n) => n + 1, getResult: (n) => n },
      (key, ctx, [n], o) => o.collect(`${JSON.stringify(key)}@${ctx.window.start}:${n}`),
    )
    .executeAndCollect();
  const expected: string[] = [];
  for (let w = 0; w < 30; w += 10) {
    const counts = new Map<number, number>();
    for (let t = w; t < w + 10; t++)
      counts.set(t % keys.length, (counts.get(t % keys.length) ?? 0) + 1);
    for (const [i, n] of counts) expected.push(`${JSON.stringify(keys[i])}@${w}:${n}`);
  }
  assert.deepEqual(out.sort(), expected.sort());
});

test('session windows refuse per-window state with an error naming the operator (as Flink)', async () => {
  const env = StreamEnvironment.create();
  const job = env
    .fromSource(new ScriptedSource([r(1), r(2)], 1))
    .keyBy((x) => x.k)
    .window(EventTimeSessionWindows.withGap<E>(5))
    .process<number>((_k, ctx, els, out) => {
      ctx.windowState().getState(new ValueStateDescriptor<number>('n'));
      out.collect(els.length);
    })
    .name('sessions-with-state')
    .executeAndCollect();
  await assert.rejects(job, (err: unknown) => {
    assert.ok(err instanceof EddyError);
    assert.equal(err.code, 'STATE_ERROR');
    assert.equal(err.operator?.name, 'sessions-with-state');
    assert.match(err.message, /per-window state is not available with merging/);
    assert.match(err.hint ?? '', /globalState/);
    return true;
  });
});
