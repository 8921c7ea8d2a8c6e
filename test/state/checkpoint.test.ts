import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EddyError, StreamEnvironment, type EnvironmentOptions } from '../../src/index.ts';
import { ExactlyOnceFileSink } from '../../src/connectors/files/exactly-once-file-sink.ts';
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
} from '../../src/core/connector-spi.ts';

/** A slow deterministic source: `n` records, `perPoll` at a time, a pause between polls. */
class SlowSource implements Source<{ k: string; v: number }> {
  readonly name = 'slow';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  constructor(
    private readonly n: number,
    private readonly perPoll = 200,
    private readonly failAt?: { at: number; once: { done: boolean } },
  ) {}
  describe() {
    return { kind: 'slow', n: this.n };
  }
  createReader(): SourceReader<{ k: string; v: number }> {
    let i = 0;
    const { n, perPoll, failAt } = this;
    return {
      pollNext(out: SourceOutput<{ k: string; v: number }>): InputStatus {
        const end = Math.min(n, i + Math.min(perPoll, out.remaining));
        for (; i < end; i++) {
          if (failAt !== undefined && i === failAt.at && !failAt.once.done) {
            failAt.once.done = true;
            throw new Error('boom');
          }
          out.collect({ k: `k${i % 7}`, v: i });
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

function build(dir: string, options: EnvironmentOptions, source: SlowSource, parallelism = 2) {
  const env = StreamEnvironment.create({ handleSignals: false, ...options });
  env
    .fromSource(source)
    .uid('src')
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum')
    .setParallelism(parallelism)
    .sinkTo(new ExactlyOnceFileSink({ dir: join(dir, 'out') }))
    .uid('sink')
    .setParallelism(parallelism);
  return env;
}

function committed(dir: string): string[] {
  const out = join(dir, 'out');
  const lines: string[] = [];
  for (const f of readdirSync(out)
    .filter((f) => !f.startsWith('.'))
    .sort())
    lines.push(
      ...readFileSync(join(out, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  return lines.sort();
}

const N = 4000;
let reference: string[] | undefined;
async function expected(): Promise<string[]> {
  if (reference !== undefined) return reference;
  const dir = mkdtempSync(join(tmpdir(), 'eddy-ref-'));
  await build(dir, {}, new SlowSource(N)).execute();
  reference = committed(dir);
  return reference;
}

test('periodic checkpoints complete and write _metadata with checksums', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-chk-'));
  const client = build(
    dir,
    { checkpointInterval: 10, checkpointDir: join(dir, 'chk'), checkpointsRetained: 2 },
    new SlowSource(N),
  ).executeAsync();
  await client.result;
  const stats = client.checkpointStats();
  assert.ok(stats.completed >= 2, `completed ${stats.completed}`);
  const dirs = readdirSync(join(dir, 'chk')).filter((d) => d.startsWith('chk-'));
  assert.ok(dirs.length <= 2 && dirs.length >= 1, dirs.join());
  const meta = readFileSync(join(dir, 'chk', dirs.sort().at(-1) as string, '_metadata'), 'utf8');
  assert.match(meta, /^EDDY-CHECKPOINT 1 sha256=[0-9a-f]{64}\n/);
  assert.deepEqual(committed(dir), await expected());
});

test('a failing task restarts from the latest checkpoint with exactly-once output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-restart-'));
  const client = build(
    dir,
    {
      checkpointInterval: 10,
      checkpointDir: join(dir, 'chk'),
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: 10 },
    },
    new SlowSource(N, 200, { at: 2500, once: { done: false } }),
  ).executeAsync();
  await client.result;
  const history = client.exceptionHistory();
  assert.equal(history.length, 1);
  assert.match(history[0]?.message ?? '', /boom/);
  assert.equal(history[0]?.operator, 'slow');
  assert.equal(client.checkpointStats().restarts, 1);
  assert.deepEqual(committed(dir), await expected());
});

test('a corrupt newest checkpoint is refused, and restored past only when asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-corrupt-'));
  const chk = join(dir, 'chk');
  // First run: stop with a savepoint-free cancel after a few checkpoints, keeping 2.
  const client = build(
    dir,
    { checkpointInterval: 10, checkpointDir: chk, checkpointsRetained: 2 },
    new SlowSource(N, 50),
  ).executeAsync();
  while (client.checkpointStats().completed < 3) await new Promise((r) => setTimeout(r, 5));
  await client.cancel();
  // The newest checkpoint that committed output; a newer one may be in flight at cancel.
  const newestId = (
    JSON.parse(readFileSync(join(chk, '_completed'), 'utf8')) as { checkpointId: number }
  ).checkpointId;
  const olderId = readdirSync(chk)
    .filter((d) => /^chk-\d+$/.test(d) && existsSync(join(chk, d, '_metadata')))
    .map((d) => Number(d.slice(4)))
    .filter((id) => id < newestId)
    .sort((a, b) => a - b)
    .at(-1);
  assert.ok(olderId !== undefined);
  const newest = join(chk, `chk-${newestId}`);
  const stateFile = readdirSync(newest).find((f) => f.startsWith('state-')) as string;
  writeFileSync(join(newest, stateFile), 'garbage');
  // Checkpoint `newest` had committed its files: restoring the older one would commit them again.
  await assert.rejects(
    build(dir, { checkpointInterval: 10, checkpointDir: chk }, new SlowSource(N, 50)).execute(),
    (e: Error & { code?: string }) =>
      e.code === 'RESTORE_FAILED' &&
      e.message.includes(`checkpoint ${newestId} completed and its output was committed`) &&
      e.message.includes(`${stateFile} has 7 bytes`),
  );
  const second = build(
    dir,
    { checkpointInterval: 10, checkpointDir: chk, fromSavepoint: join(chk, `chk-${olderId}`) },
    new SlowSource(N, 50),
  );
  const c2 = second.executeAsync();
  await c2.result;
  assert.match(c2.checkpointStats().restoredFrom ?? '', new RegExp(`chk-${olderId}$`));
  // Accepted explicitly: the output is at-least-once here, but every value must be right (the
  // state came back from the older checkpoint intact).
  assert.deepEqual([...new Set(committed(dir))].sort(), await expected());
});

test('the LMDB state backend checkpoints and restores the same way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-job-'));
  const client = build(
    dir,
    {
      stateBackend: 'lmdb',
      stateDir: join(dir, 'state'),
      checkpointInterval: 10,
      checkpointDir: join(dir, 'chk'),
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: 10 },
    },
    new SlowSource(N, 100, { at: 3000, once: { done: false } }),
  ).executeAsync();
  await client.result;
  assert.equal(client.exceptionHistory().length, 1);
  assert.deepEqual(committed(dir), await expected());
  assert.deepEqual(readdirSync(join(dir, 'state')), [], 'working copies are deleted on close');
});

test('a checkpoint completes only after an asynchronous pre-commit has resolved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-async-precommit-'));
  let release: () => void = () => {};
  const acknowledged = new Promise<void>((r) => (release = r));
  let preCommits = 0;
  const env = StreamEnvironment.create({
    handleSignals: false,
    checkpointInterval: 10,
    checkpointDir: join(dir, 'chk'),
  });
  env.fromSource(new SlowSource(1_000_000, 50)).sinkTo({
    name: 'acked',
    describe: () => ({ kind: 'acked' }),
    createWriter: () => ({
      write: () => {},
      // Like a broker flush: the checkpoint must wait for the acknowledgement.
      preCommit: () => {
        preCommits++;
        return acknowledged.then(() => ['batch']);
      },
      commit: () => {},
    }),
  });
  const client = env.executeAsync();
  while (preCommits === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(client.checkpointStats().completed, 0, 'no checkpoint may complete before the ack');
  release();
  while (client.checkpointStats().completed === 0) await new Promise((r) => setTimeout(r, 5));
  await client.cancel();
});

test('a sink that cannot take a checkpoint now (CHECKPOINT_DECLINED) skips it without failing a job at the default tolerance of 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-declined-'));
  let preCommits = 0;
  const env = StreamEnvironment.create({
    handleSignals: false,
    checkpointInterval: 10,
    checkpointDir: join(dir, 'chk'),
    restartStrategy: { type: 'none' },
  });
  env.fromSource(new SlowSource(1_000_000, 50)).sinkTo({
    name: 'busy',
    describe: () => ({ kind: 'busy' }),
    createWriter: () => ({
      write: () => {},
      // Like the Kafka sink whose transactional ids all wait for their commits.
      preCommit: () => {
        if (++preCommits <= 3) {
          throw new EddyError('no free transactional id', {
            code: 'CHECKPOINT_DECLINED',
            domain: 'external',
            retryable: true,
          });
        }
        return ['batch'];
      },
      commit: () => {},
    }),
  });
  const client = env.executeAsync();
  let failure: unknown;
  client.result.catch((e: unknown) => (failure = e));
  while (client.checkpointStats().completed === 0) {
    assert.equal(failure, undefined, 'the job must not fail');
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(client.checkpointStats().failed >= 3, 'the declined checkpoints are failed ones');
  assert.deepEqual(client.exceptionHistory(), []);
  await client.cancel();
});
