/**
 * Incremental checkpoints of the LMDB backend end to end (issue 19, ADR 0020): a job whose keys
 * mostly stay unchanged between checkpoints fails once and restores from its newest chain, then a
 * second job restores that chain at another parallelism, and both see exactly the state a run
 * without failures has. The metrics name the new figures.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StreamEnvironment, type EnvironmentOptions } from '../../src/index.ts';
import { ExactlyOnceFileSink } from '../../src/connectors/files/exactly-once-file-sink.ts';
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
} from '../../src/core/connector-spi.ts';
import { newestCheckpoint } from '../support/kill-loop.ts';

const KEYS = 2000;
const RECORDS = 30_000;

/** Record `i`: every key once, then only 1 % of the keys (mostly unchanged state). */
function keyOf(i: number): number {
  return i < KEYS ? i : i % 20;
}

class SweepSource implements Source<{ k: number; v: number }> {
  readonly name = 'sweep';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  constructor(
    readonly n: number,
    private readonly value: (i: number) => number,
    private readonly failAt?: { at: number; once: { done: boolean } },
  ) {}
  describe() {
    return { kind: 'sweep', n: this.n };
  }
  createReader(): SourceReader<{ k: number; v: number }> {
    let i = 0;
    const { n, failAt, value } = this;
    return {
      pollNext(out: SourceOutput<{ k: number; v: number }>): InputStatus {
        const end = Math.min(n, i + Math.min(500, out.remaining));
        for (; i < end; i++) {
          if (failAt !== undefined && i === failAt.at && !failAt.once.done) {
            failAt.once.done = true;
            throw new Error('boom');
          }
          out.collect({ k: keyOf(i), v: value(i) });
        }
        return i >= n ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
      },
      isAvailable: () => new Promise((r) => setTimeout(r, 1)),
      snapshotState: () => i,
      restoreState: (s) => {
        i = s as number;
      },
    };
  }
}

function build(dir: string, options: EnvironmentOptions, source: SweepSource, parallelism: number) {
  const env = StreamEnvironment.create({
    handleSignals: false,
    stateBackend: 'lmdb',
    stateDir: join(dir, 'state'),
    incrementalCheckpoints: true,
    ...options,
  });
  env
    .fromSource(source)
    .uid(source.n === KEYS ? 'probe' : 'src')
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum')
    .setParallelism(parallelism)
    .sinkTo(new ExactlyOnceFileSink({ dir: join(dir, 'out') }))
    .uid('sink');
  return env;
}

/** The last committed sum of each key. */
function finalSums(dir: string): Map<number, number> {
  const sums = new Map<number, number>();
  const out = join(dir, 'out');
  for (const f of readdirSync(out).filter((f) => !f.startsWith('.'))) {
    for (const line of readFileSync(join(out, f), 'utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as { k: number; v: number };
      if ((sums.get(r.k) ?? Number.NEGATIVE_INFINITY) < r.v) sums.set(r.k, r.v);
    }
  }
  return sums;
}

test('an incremental chain restores after a failure and at another parallelism', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-incremental-job-'));
  const client = build(
    dir,
    {
      checkpointInterval: 20,
      checkpointDir: join(dir, 'chk'),
      checkpointsRetained: 2,
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: 10 },
    },
    new SweepSource(RECORDS, (i) => (i % 3) + 1, { at: 20_000, once: { done: false } }),
    2,
  ).executeAsync();
  await client.result;
  assert.equal(client.exceptionHistory().length, 1, 'failed once and restored');
  const expected = new Map<number, number>();
  for (let i = 0; i < RECORDS; i++)
    expected.set(keyOf(i), (expected.get(keyOf(i)) ?? 0) + (i % 3) + 1);
  assert.deepEqual(finalSums(dir), expected);

  const history = client.checkpointStats().history.filter((h) => h.status === 'COMPLETED');
  assert.ok(
    history.some((h) => (h.fullSizeBytes ?? 0) > 4 * h.sizeBytes),
    `some checkpoint wrote a small part of the state: ${history.map((h) => `${h.sizeBytes}/${h.fullSizeBytes}`).join(', ')}`,
  );
  const metrics = await client.metricsText();
  for (const name of [
    'eddy_last_checkpoint_full_size_bytes',
    'eddy_last_checkpoint_sync_duration_seconds',
    'eddy_last_checkpoint_async_duration_seconds',
    'eddy_state_cache_hit_ratio',
    'eddy_state_size_bytes',
  ]) {
    assert.match(metrics, new RegExp(`^${name}\\{`, 'm'), `${name} in\n${metrics}`);
  }

  // The newest checkpoint's chains, restored at parallelism 3: one more record per key (0)
  // makes every key emit its restored sum.
  const second = mkdtempSync(join(tmpdir(), 'eddy-incremental-rescale-'));
  const chk = join(dir, 'chk', `chk-${newestCheckpoint(dir)}`);
  await build(
    second,
    { fromSavepoint: chk, allowNonRestoredState: true },
    new SweepSource(KEYS, () => 0),
    3,
  ).execute();
  assert.deepEqual(finalSums(second), expected);
});
