import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EddyError,
  OutputTag,
  StreamEnvironment,
  ValueStateDescriptor,
  formatPlan,
} from '../index.ts';

function expectEddyError(fn: () => unknown, code: string, pattern: RegExp): EddyError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EddyError, `expected EddyError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected an EddyError ${code}`);
}

describe('plan', () => {
  it('is frozen plain data with nodes, edges, partitioning and names', () => {
    const env = StreamEnvironment.create({ parallelism: 2 });
    env
      .fromCollection([1, 2, 3], 'numbers')
      .map((x) => x * 2)
      .name('double')
      .uid('double-uid')
      .keyBy((x) => x % 2)
      .reduce((a, b) => a + b)
      .print();
    const plan = env.getPlan('p');
    assert.ok(
      Object.isFrozen(plan) && Object.isFrozen(plan.nodes) && Object.isFrozen(plan.nodes[0]),
    );
    assert.deepEqual(
      plan.nodes.map((n) => [n.kind, n.name, n.parallelism, n.keyed]),
      [
        ['source', 'numbers', 1, false],
        ['map', 'double', 2, false],
        ['reduce', 'Reduce', 2, true],
        ['sink', 'print', 2, false],
      ],
    );
    assert.deepEqual(
      plan.edges.map((e) => e.partitioning),
      ['rebalance', 'hash', 'forward'],
    );
    assert.equal(plan.nodes[1]?.uid, 'double-uid');
    assert.match(plan.nodes[1]?.definedAt ?? '', /plan-validation\.test\.ts:\d+:\d+$/);
    // JSON round trip: the plan has no functions in it.
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), JSON.parse(JSON.stringify(plan)));
    assert.match(formatPlan(plan), /\[3\] reduce "Reduce" p=2 keyed\s+<- \[2\] hash/);
  });

  it('records chain cuts in the plan and shows them in the readable graph', () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([1])
      .map((x) => x)
      .name('cut')
      .startNewChain()
      .filter(() => true)
      .name('alone')
      .disableChaining()
      .print();
    const plan = env.getPlan();
    assert.deepEqual(
      plan.nodes.map((n) => n.chaining),
      ['always', 'head', 'never', 'always'],
    );
    assert.match(formatPlan(plan), /map "cut" p=1 new-chain/);
    assert.match(formatPlan(plan), /filter "alone" p=1 no-chaining/);
    assert.throws(
      () =>
        env
          .fromCollection([1])
          .union(env.fromCollection([2]))
          .disableChaining(),
      /disableChaining\(\)/,
    );
  });

  it('leaves out operators that reach no sink', () => {
    const env = StreamEnvironment.create();
    const s = env.fromCollection([1]);
    s.map((x) => x + 1); // dangling
    s.print();
    assert.deepEqual(
      env.getPlan().nodes.map((n) => n.kind),
      ['source', 'sink'],
    );
  });

  it('fails a job without a sink, saying what to add', () => {
    const env = StreamEnvironment.create();
    env.fromCollection([1]).map((x) => x);
    const e = expectEddyError(() => env.getPlan('nothing'), 'NO_SINK', /job "nothing" has no sink/);
    assert.match(e.message, /hint: end each stream with \.sinkTo/);
  });

  it('fails duplicate uids, naming both operators and where they were defined', () => {
    const env = StreamEnvironment.create();
    const s = env.fromCollection([1]);
    s.map((x) => x)
      .name('first')
      .uid('same')
      .print();
    s.filter(() => true)
      .name('second')
      .uid('same')
      .print();
    const e = expectEddyError(
      () => env.getPlan(),
      'DUPLICATE_UID',
      /operator "second" \(uid "same"\), defined at .*plan-validation\.test\.ts:\d+:\d+: uid "same" is also used by operator "first"/,
    );
    assert.equal(e.operator?.name, 'second');
  });

  it('fails a side output read from an operator that cannot emit it', () => {
    const env = StreamEnvironment.create();
    const tag = new OutputTag<number>('late');
    const reduced = env
      .fromCollection([1])
      .keyBy((x) => x)
      .reduce((a, b) => a + b)
      .name('sum');
    reduced.getSideOutput(tag).print();
    expectEddyError(
      () => env.getPlan(),
      'UNKNOWN_SIDE_OUTPUT',
      /operator "sum".*side output "late" is read from this operator, but it emits no side outputs/,
    );
  });

  it('rejects a bad parallelism with the operator name', () => {
    const env = StreamEnvironment.create();
    expectEddyError(
      () =>
        env
          .fromCollection([1])
          .map((x) => x)
          .name('m')
          .setParallelism(0),
      'INVALID_ARGUMENT',
      /parallelism must be a positive integer/,
    );
    const env2 = StreamEnvironment.create();
    env2.fromCollection([1]).setParallelism(2).print();
    expectEddyError(() => env2.getPlan(), 'INVALID_JOB', /not parallel/);
    expectEddyError(
      () => StreamEnvironment.create({ parallelism: 0 }),
      'INVALID_ARGUMENT',
      /parallelism must be a positive integer/,
    );
  });

  it('rejects a function object without the method the operator needs', () => {
    const env = StreamEnvironment.create();
    const s = env.fromCollection([1]);
    expectEddyError(
      () => s.process({ process: () => {} } as never),
      'INVALID_JOB',
      /Process needs a function or an object with processElement\(\)/,
    );
  });

  it('reports keyed state used on a non-keyed stream at first use, naming the operator', async () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([1])
      .map((x, ctx) => {
        ctx.getState(new ValueStateDescriptor<number>('n'));
        return x;
      })
      .name('stateful-map')
      .print();
    await assert.rejects(env.execute(), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'NOT_KEYED');
      assert.match(
        e.message,
        /operator "stateful-map".*keyed state is only available on a keyed stream/,
      );
      return true;
    });
  });
});
