import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EddyError,
  MapStateDescriptor,
  ValueStateDescriptor,
  type BroadcastProcessFunction,
  type DataStream,
  type KeyedBroadcastProcessFunction,
} from '../../index.ts';
import { TestSource, TwoInputHarness, runPipeline } from '../../testing/index.ts';
import type { BroadcastProcessOperator } from './broadcast-process-operator.ts';

const blocked = new MapStateDescriptor<string, string>('blocked');

/** Drops events from blocked IPs; the broadcast side maintains the block list. */
const dropBlocked: BroadcastProcessFunction<{ ip: string }, { ip: string; why?: string }, string> =
  {
    processElement(e, ctx, out) {
      const why = ctx.getBroadcastState(blocked).get(e.ip);
      out.collect(why === undefined ? `ok:${e.ip}` : `blocked:${e.ip}:${why}`);
    },
    processBroadcastElement(rule, ctx) {
      const state = ctx.getBroadcastState(blocked);
      if (rule.why === undefined) state.remove(rule.ip);
      else state.put(rule.ip, rule.why);
    },
  };

function blockHarness() {
  return TwoInputHarness.of(
    (events: DataStream<{ ip: string }>, rules: DataStream<{ ip: string; why?: string }>) =>
      events.connect(rules.broadcast(blocked)).process(dropBlocked),
  );
}

test('broadcast side writes the state, the other side reads it', () => {
  const h = blockHarness();
  h.processElement1({ ip: 'a' });
  h.processElement2({ ip: 'a', why: 'spam' });
  h.processElement1({ ip: 'a' });
  h.processElement1({ ip: 'b' });
  h.processElement2({ ip: 'a' });
  h.processElement1({ ip: 'a' });
  assert.deepEqual(h.output(), ['ok:a', 'blocked:a:spam', 'ok:b', 'ok:a']);
});

test('processElement gets a read-only view; undeclared descriptors fail with a hint', () => {
  const other = new MapStateDescriptor<string, number>('other');
  const h = TwoInputHarness.of((a: DataStream<string>, b: DataStream<string>) =>
    a.connect(b.broadcast(blocked)).process({
      processElement(v, ctx, out) {
        const view = ctx.getBroadcastState(blocked) as unknown as Record<string, unknown>;
        out.collect(`${typeof view['put']}:${typeof view['remove']}`);
        if (v === 'other') ctx.getBroadcastState(other);
      },
      processBroadcastElement() {},
    }),
  );
  h.processElement1('x');
  assert.deepEqual(h.output(), ['undefined:undefined']);
  assert.throws(
    () => h.processElement1('other'),
    (e: unknown) =>
      e instanceof EddyError &&
      /"other" was not declared/.test(e.message) &&
      /broadcast/.test(e.message),
  );
});

test('broadcast state is in the operator-state snapshot and restores on a fresh subtask', () => {
  const h = blockHarness();
  h.processElement2({ ip: 'a', why: 'spam' });
  h.processElement2({ ip: 'b', why: 'scan' });
  const op = h.operator as BroadcastProcessOperator;
  assert.equal(op.operatorStateDistribution, 'union');
  const snapshot = h.snapshot();
  assert.deepEqual(snapshot.operatorState, [
    {
      name: 'blocked',
      entries: [
        ['a', 'spam'],
        ['b', 'scan'],
      ],
    },
  ]);
  const fresh = blockHarness();
  // Union distribution: a rescaled subtask receives every old subtask's (equal) copy.
  const copies = [...(snapshot.operatorState ?? []), ...(snapshot.operatorState ?? [])];
  fresh.restore({ ...snapshot, operatorState: copies });
  fresh.processElement1({ ip: 'b' });
  fresh.processElement1({ ip: 'c' });
  assert.deepEqual(fresh.output(), ['blocked:b:scan', 'ok:c']);
});

test('broadcast() rejects non-map descriptors and duplicate names', () => {
  assert.throws(
    () =>
      TwoInputHarness.of((a: DataStream<string>, b: DataStream<string>) =>
        a
          .connect(
            b.broadcast(
              new ValueStateDescriptor('x') as unknown as MapStateDescriptor<string, string>,
            ),
          )
          .process(dropBlocked as never),
      ),
    (e: unknown) => e instanceof EddyError && /MapStateDescriptor/.test(e.message),
  );
  assert.throws(
    () =>
      TwoInputHarness.of((a: DataStream<string>, b: DataStream<string>) =>
        a.connect(b.broadcast(blocked, blocked)).process(dropBlocked as never),
      ),
    (e: unknown) => e instanceof EddyError && /given twice/.test(e.message),
  );
});

interface View {
  readonly user: string;
}
type Rule = { readonly bot: string } | { readonly resetCounts: true };

const bots = new MapStateDescriptor<string, true>('bots');
const views = new ValueStateDescriptor<number>('views');

class TagBots implements KeyedBroadcastProcessFunction<string, View, Rule, string> {
  processElement(
    v: View,
    ctx: Parameters<KeyedBroadcastProcessFunction<string, View, Rule, string>['processElement']>[1],
    out: { collect(s: string): void },
  ): void {
    const count = ctx.getState(views);
    const n = (count.value() ?? 0) + 1;
    count.update(n);
    const bot = ctx.getBroadcastState(bots).contains(v.user);
    out.collect(`${ctx.getCurrentKey()}:${n}:${bot ? 'bot' : 'human'}`);
  }
  processBroadcastElement(
    rule: Rule,
    ctx: Parameters<
      KeyedBroadcastProcessFunction<string, View, Rule, string>['processBroadcastElement']
    >[1],
    out: { collect(s: string): void },
  ): void {
    if ('bot' in rule) ctx.getBroadcastState(bots).put(rule.bot, true);
    else {
      ctx.applyToKeyedState(views, (user, state) => {
        out.collect(`reset:${user}:${state.value()}`);
        state.clear();
      });
    }
  }
}

test('keyed broadcast at parallelism 2: every subtask has the rules; applyToKeyedState reaches every key', async () => {
  const { sink } = await runPipeline(
    (env) => {
      const rules = env.fromCollection<Rule>([], 'rules');
      env
        .fromCollection<View>([], 'views')
        .keyBy((v) => v.user)
        .connect(rules.broadcast(bots))
        .process(new TagBots())
        .print()
        .name('out');
    },
    {
      parallelism: 2,
      sources: {
        rules: TestSource.steps<Rule>([
          { records: [{ bot: 'u1' }, { bot: 'u4' }] },
          { watermark: 1 },
          { watermark: 2 },
          { watermark: 3 },
          { watermark: 4 },
          { records: [{ resetCounts: true }] },
        ]),
        views: TestSource.steps<View>([
          { watermark: 0 },
          { records: ['u1', 'u2', 'u1', 'u3', 'u4', 'u5'].map((user) => ({ user })) },
        ]),
      },
    },
  );
  const out = sink<string>('out');
  assert.deepEqual(out.filter((s) => !s.startsWith('reset')).sort(), [
    'u1:1:bot',
    'u1:2:bot',
    'u2:1:human',
    'u3:1:human',
    'u4:1:bot',
    'u5:1:human',
  ]);
  assert.deepEqual(out.filter((s) => s.startsWith('reset')).sort(), [
    'reset:u1:2',
    'reset:u2:1',
    'reset:u3:1',
    'reset:u4:1',
    'reset:u5:1',
  ]);
});

test('processBroadcastElement has no current key', async () => {
  await assert.rejects(
    runPipeline(
      (env) => {
        env
          .fromCollection<View>([], 'views')
          .keyBy((v) => v.user)
          .connect(env.fromCollection<Rule>([], 'rules').broadcast(bots))
          .process({
            processElement() {},
            processBroadcastElement(_r, ctx) {
              (ctx as unknown as { getState(d: unknown): unknown }).getState(views);
            },
          })
          .print();
      },
      { sources: { views: [], rules: [{ bot: 'x' }] } },
    ),
    (e: unknown) => e instanceof EddyError && /applyToKeyedState/.test(e.message),
  );
});
