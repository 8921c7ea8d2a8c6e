/**
 * A stop-with-savepoint whose savepoint fails leaves the job running, as Flink's does: its sources
 * read on after the barrier they held at, periodic checkpoints resume, and a later
 * stop-with-savepoint succeeds — the records before it and those a restore from it reads add up
 * to the input exactly once. (Before, the sources ended at the barrier whatever became of the
 * savepoint: a failed stop ended the job without a savepoint.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  StreamEnvironment,
  type InputStatus,
  type Source,
  type SourceOutput,
  type SourceReader,
} from '../../src/index.ts';
import { waitFor } from '../support/wait-for.ts';

const N = 4000;
const PER_POLL = 10;

/** 0 … N-1, ten per poll every 2 ms; its snapshot throws while `failing.now` is set. */
class Numbers implements Source<number> {
  readonly name = 'numbers';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  constructor(private readonly failing: { now: boolean }) {}
  describe() {
    return { kind: 'test-numbers', records: N };
  }
  createReader(): SourceReader<number> {
    let i = 0;
    const failing = this.failing;
    return {
      pollNext(out: SourceOutput<number>): InputStatus {
        const end = Math.min(N, i + Math.min(PER_POLL, out.remaining));
        for (; i < end; i++) out.collect(i);
        return i >= N ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
      },
      isAvailable: () => new Promise((r) => setTimeout(r, 2)),
      snapshotState: () => {
        if (failing.now) throw new Error('the disk said no');
        return i;
      },
      restoreState: (s) => {
        i = s as number;
      },
    };
  }
}

function job(out: number[], failing: { now: boolean }, fromSavepoint?: string) {
  const env = StreamEnvironment.create({
    handleSignals: false,
    parallelism: 2,
    checkpointDir: mkdtempSync(join(tmpdir(), 'eddy-stop-sp-chk-')),
    checkpointInterval: 100,
    ...(fromSavepoint !== undefined ? { fromSavepoint } : {}),
  });
  env
    .fromSource(new Numbers(failing))
    .uid('numbers')
    .keyBy((n) => n % 7)
    .map((n) => n)
    .uid('identity')
    .sinkTo((n: number) => void out.push(n))
    .uid('sink');
  return env;
}

describe('stop-with-savepoint', { timeout: 120_000 }, () => {
  it('that fails leaves the job running; the next one stops it, and a restore reads on exactly once', async () => {
    const failing = { now: false };
    const before: number[] = [];
    const client = job(before, failing).executeAsync('stop-sp');
    let ended = false;
    void client.result.finally(() => (ended = true));
    await waitFor(() => before.length >= 300, { timeoutMs: 30_000, message: '300 records' });

    failing.now = true;
    await assert.rejects(
      client.stopWithSavepoint(mkdtempSync(join(tmpdir(), 'eddy-stop-sp-'))),
      /could not snapshot its state: the disk said no/,
    );
    failing.now = false;

    // The job reads on from where it held …
    const atFailure = before.length;
    await waitFor(() => before.length >= atFailure + 300 || ended, {
      timeoutMs: 30_000,
      message: '300 more records after the failed stop',
    });
    assert.equal(ended, false, 'the job ended after a failed stop-with-savepoint');
    // … and checkpoints again.
    const completed = client.checkpointStats().completed;
    await waitFor(() => client.checkpointStats().completed > completed, {
      timeoutMs: 30_000,
      message: 'a periodic checkpoint after the failed stop',
    });

    const path = await client.stopWithSavepoint(mkdtempSync(join(tmpdir(), 'eddy-stop-sp-')));
    assert.equal((await client.result).status, 'CANCELED');
    assert.ok(before.length < N, 'stopped before the end of the input');

    const after: number[] = [];
    await job(after, failing, path).execute();
    assert.deepEqual(
      [...before, ...after].sort((a, b) => a - b),
      Array.from({ length: N }, (_, i) => i),
    );
  });
});
