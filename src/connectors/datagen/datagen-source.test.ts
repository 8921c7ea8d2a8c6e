import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataGenSource, StreamEnvironment } from '../../index.ts';

describe('DataGenSource', () => {
  it('generates the same sequence at any parallelism', async () => {
    for (const parallelism of [1, 3]) {
      const env = StreamEnvironment.create({ parallelism });
      const out = await env
        .fromSource(new DataGenSource((i) => i * 2, { count: 1000 }))
        .executeAndCollect();
      assert.deepEqual(
        [...out].sort((a, b) => a - b),
        Array.from({ length: 1000 }, (_, i) => i * 2),
      );
    }
  });

  it('limits the rate', async () => {
    const env = StreamEnvironment.create();
    const started = Date.now();
    const out = await env
      .fromSource(new DataGenSource((i) => i, { count: 60, rowsPerSecond: 200 }))
      .executeAndCollect();
    const elapsed = Date.now() - started;
    assert.equal(out.length, 60);
    assert.ok(elapsed >= 250, `60 records at 200/s took ${elapsed} ms, expected about 300`);
  });

  it('rejects a bad count or rate', () => {
    assert.throws(
      () => new DataGenSource((i) => i, { count: -1 }),
      /count must be a non-negative integer/,
    );
    assert.throws(
      () => new DataGenSource((i) => i, { rowsPerSecond: 0 }),
      /rowsPerSecond must be positive/,
    );
  });
});
