import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataGenSource, EddyError, StreamEnvironment } from '../index.ts';

describe('executeAndCollect(limit)', () => {
  it('returns the first records of an unbounded stream and cancels the job', async () => {
    const env = StreamEnvironment.create({ handleSignals: false });
    const firstTen = await env
      .fromSource(new DataGenSource((i) => i * 2))
      .map((x) => x + 1)
      .executeAndCollect(10);
    // Exactly the limit, although the source emits whole batches of 1024.
    assert.deepEqual(
      firstTen,
      Array.from({ length: 10 }, (_, i) => i * 2 + 1),
    );
  });

  it('returns everything when a bounded stream ends before the limit', async () => {
    const env = StreamEnvironment.create();
    assert.deepEqual(await env.fromCollection([1, 2, 3]).executeAndCollect(10), [1, 2, 3]);
  });

  it('stops parallel subtasks too', async () => {
    const env = StreamEnvironment.create({ parallelism: 2, handleSignals: false });
    const seven = await env.fromSource(new DataGenSource((i) => i)).executeAndCollect(7);
    assert.equal(seven.length, 7);
    assert.equal(new Set(seven).size, 7);
  });

  it('refuses a limit that is not a positive integer', async () => {
    const env = StreamEnvironment.create();
    await assert.rejects(env.fromCollection([1]).executeAndCollect(0), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.match(e.message, /executeAndCollect\(0\): the limit must be a positive integer/);
      return true;
    });
  });
});
