import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EddyError, StreamEnvironment, type Context } from '../index.ts';

interface Order {
  readonly region: string;
  readonly id: number;
}

/** Which subtask each record reached: `id@subtask`. */
const where = (o: Order, ctx: Context<unknown>): string => `${o.id}@${ctx.taskInfo.subtaskIndex}`;

describe('partitionCustom and shuffle', () => {
  it('partitionCustom sends each record to the subtask its partitioner picks for the key', async () => {
    const env = StreamEnvironment.create({ parallelism: 3 });
    const orders: Order[] = Array.from({ length: 30 }, (_, id) => ({
      region: ['eu', 'us', 'apac'][id % 3] as string,
      id,
    }));
    const regions = ['apac', 'eu', 'us'];
    const out = await env
      .fromCollection(orders)
      .partitionCustom(
        (region: string, n) => regions.indexOf(region) % n,
        (o) => o.region,
      )
      .map(where)
      .executeAndCollect();
    assert.equal(out.length, 30);
    for (const s of out) {
      const [id, subtask] = s.split('@').map(Number) as [number, number];
      assert.equal(subtask, regions.indexOf(orders[id]?.region ?? ''), s);
    }
    assert.match(
      env
        .getPlan()
        .edges.map((e) => e.partitioning)
        .join(','),
      /custom/,
    );
  });

  it('shuffle spreads records over every subtask and loses none', async () => {
    const env = StreamEnvironment.create({ parallelism: 2 });
    const out = await env
      .fromCollection(Array.from({ length: 2000 }, (_, id) => ({ region: 'eu', id })))
      .shuffle()
      .map(where)
      .executeAndCollect();
    assert.deepEqual(
      out.map((s) => Number(s.split('@')[0])).sort((a, b) => a - b),
      Array.from({ length: 2000 }, (_, i) => i),
    );
    const perSubtask = [0, 1].map((i) => out.filter((s) => s.endsWith(`@${i}`)).length);
    // 2000 fair coin flips: each side gets far more than 800 unless shuffling is broken.
    for (const n of perSubtask) assert.ok(n > 800, `one subtask got ${n} of 2000`);
    assert.ok(env.getPlan().edges.some((e) => e.partitioning === 'shuffle'));
  });

  it('a partitioner that returns no valid subtask fails the job naming the producer', async () => {
    const env = StreamEnvironment.create({ parallelism: 2 });
    const job = env
      .fromCollection([{ region: 'eu', id: 1 }], 'orders')
      .partitionCustom(
        () => 7,
        (o) => o.region,
      )
      .map((o) => o.id)
      .executeAndCollect();
    await assert.rejects(job, (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.match(
        e.message,
        /partitioner returned 7 for key "eu"; it must be a whole number from 0 to 1/,
      );
      assert.equal(e.operator?.name, 'orders');
      return true;
    });
  });
});
