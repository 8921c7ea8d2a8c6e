import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EddyError, StreamEnvironment } from '../index.ts';

interface Order {
  readonly customer: string;
  readonly amount: number;
  readonly id: number;
}

/** Flink's rolling aggregations, record by record, per key: the brute-force reference. */
function reference(orders: readonly Order[], kind: string, first: boolean): Order[] {
  const acc = new Map<string, Order>();
  return orders.map((o) => {
    const a = acc.get(o.customer);
    let next: Order;
    if (a === undefined) next = o;
    else if (kind === 'sum') next = { ...a, amount: a.amount + o.amount };
    else if (kind === 'min') next = o.amount < a.amount ? { ...a, amount: o.amount } : a;
    else if (kind === 'max') next = o.amount > a.amount ? { ...a, amount: o.amount } : a;
    else if (kind === 'minBy')
      next = o.amount < a.amount || (!first && o.amount === a.amount) ? o : a;
    else next = o.amount > a.amount || (!first && o.amount === a.amount) ? o : a;
    acc.set(o.customer, next);
    return next;
  });
}

const ordersArb = fc
  .array(
    fc.record({
      customer: fc.constantFrom('ana', 'bo', 'cy'),
      amount: fc.integer({ min: -5, max: 5 }),
    }),
    { maxLength: 60 },
  )
  .map((xs) => xs.map((x, id) => ({ ...x, id })));

describe('rolling aggregations (sum, min, max, minBy, maxBy)', () => {
  it('match Flink semantics per key, record by record', async () => {
    await fc.assert(
      fc.asyncProperty(
        ordersArb,
        fc.constantFrom('sum', 'min', 'max', 'minBy', 'maxBy'),
        fc.boolean(),
        async (orders, kind, first) => {
          const env = StreamEnvironment.create();
          const keyed = env.fromCollection(orders).keyBy((o) => o.customer);
          const out =
            kind === 'sum'
              ? keyed.sum('amount')
              : kind === 'min'
                ? keyed.min('amount')
                : kind === 'max'
                  ? keyed.max('amount')
                  : kind === 'minBy'
                    ? keyed.minBy('amount', first)
                    : keyed.maxBy('amount', first);
          // One subtask, so the output order is the input order.
          assert.deepEqual(await out.executeAndCollect(), reference(orders, kind, first));
        },
      ),
      { numRuns: 120, seed: 20261126 },
    );
  });

  it('aggregate number records themselves', async () => {
    const env = StreamEnvironment.create();
    const xs = env.fromCollection([3, 1, 4, 1, 5]).keyBy((x) => x % 2);
    const sums = await xs.sum().executeAndCollect();
    assert.deepEqual(sums, [3, 4, 4, 5, 10]); // odd: 3, 4, 5, 10; even: 4
    const env2 = StreamEnvironment.create();
    const maxes = await env2
      .fromCollection([3, 1, 4, 1, 5])
      .keyBy(() => 0)
      .max()
      .executeAndCollect();
    assert.deepEqual(maxes, [3, 3, 4, 4, 5]);
  });

  it('only accept number fields (types), and name the operator when a record has none', async () => {
    const env = StreamEnvironment.create();
    const keyed = env.fromCollection<Order>([]).keyBy((o) => o.customer);
    // @ts-expect-error customer is a string field
    assert.ok(keyed.sum('customer'));
    // @ts-expect-error object records need a field
    assert.ok(keyed.sum());
    const env2 = StreamEnvironment.create();
    const bad = env2
      .fromCollection<{ k: string; n: number | string }>([
        { k: 'a', n: 1 },
        { k: 'a', n: 'two' },
      ])
      .keyBy((r) => r.k)
      // The declared type allows strings; the runtime check names the field and the operator.
      .sum('n' as never);
    await assert.rejects(bad.executeAndCollect(), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'USER_FUNCTION_FAILED');
      assert.equal(e.operator?.name, 'Sum(n)');
      assert.match(String((e.cause as Error).message), /field "n" is string, not a number/);
      return true;
    });
  });
});

describe('countWindow', () => {
  it('fires every n records of a key with exactly those records', async () => {
    const env = StreamEnvironment.create();
    const out = await env
      .fromCollection([1, 2, 3, 4, 5, 6, 7, 8])
      .keyBy((x) => x % 2)
      .countWindow(2)
      .process<string>((key, _ctx, els, o) => o.collect(`${key}:${els.join(',')}`))
      .executeAndCollect();
    // The odd key fires at 3 and 7, the even one at 4 and 8; nothing of an unfilled window.
    assert.deepEqual(out.sort(), ['0:2,4', '0:6,8', '1:1,3', '1:5,7']);
  });

  it('countWindowAll: tumbling and sliding count windows over the whole stream', async () => {
    const tumbling = await StreamEnvironment.create()
      .fromCollection([1, 2, 3, 4, 5, 6, 7])
      .countWindowAll(3)
      .process<string>((_ctx, els, o) => o.collect(els.join(',')))
      .executeAndCollect();
    assert.deepEqual(tumbling, ['1,2,3', '4,5,6']);
    const sliding = await StreamEnvironment.create()
      .fromCollection([1, 2, 3, 4, 5, 6, 7])
      .countWindowAll(3, 2)
      .process<string>((_ctx, els, o) => o.collect(els.join(',')))
      .executeAndCollect();
    // Every 2 records, the last 3 (fewer at the start).
    assert.deepEqual(sliding, ['1,2', '2,3,4', '4,5,6']);
  });

  it('refuses a size that is not a positive integer', () => {
    const env = StreamEnvironment.create();
    assert.throws(
      () =>
        env
          .fromCollection([1])
          .keyBy((x) => x)
          .countWindow(0),
      /countWindow\(0\): the size must be a positive integer/,
    );
  });
});
