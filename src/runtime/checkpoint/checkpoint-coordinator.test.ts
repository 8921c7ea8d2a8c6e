/**
 * The checkpoint coordinator on its own, against a real local checkpoint store: the test plays
 * the job (it receives the barriers and acknowledges for the subtasks) and checks the invariants
 * the coordinator's module comment promises.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EddyError } from '../../errors/eddy-error.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import type { CheckpointBarrier } from './checkpoint-barrier.ts';
import {
  CheckpointCoordinator,
  type CheckpointHost,
  type CoordinatorOptions,
  type EncodedState,
} from './checkpoint-coordinator.ts';
import { loadCheckpoint } from './checkpoint-loader.ts';
import type { OperatorLayout } from './checkpoint-metadata.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';
import { LocalCheckpointStore } from './local-checkpoint-store.ts';
import { encodeSubtaskState } from './state-codec.ts';

const roots: string[] = [];
// The coordinator's timers are unref'd (they must not keep a finished job alive); keep the loop
// alive while a test waits for one.
const keepAlive = setInterval(() => {}, 1000);
after(async () => {
  clearInterval(keepAlive);
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** Waits until the job has received `n` barriers (triggers are queued behind the one in flight). */
async function barriers(job: TestJob, n: number): Promise<void> {
  await waitFor(() => job.barriers.length >= n, { message: `barrier ${n}` });
}

async function tempStore(): Promise<LocalCheckpointStore> {
  const root = await mkdtemp(join(tmpdir(), 'eddy-coordinator-'));
  roots.push(root);
  return new LocalCheckpointStore(root);
}

/** A source (2 subtasks) and a keyed operator (1 subtask): 3 acknowledgements per checkpoint. */
const operators: readonly OperatorLayout[] = [
  {
    key: 'src',
    uid: 'src',
    nodeId: 1,
    name: 'source',
    kind: 'source',
    parallelism: 2,
    keyed: false,
    distribution: 'split',
  },
  {
    key: 'count',
    uid: 'count',
    nodeId: 2,
    name: 'count',
    kind: 'keyed-process',
    parallelism: 1,
    keyed: true,
    distribution: 'split',
  },
];
const SUBTASKS = [
  [1, 0],
  [1, 1],
  [2, 0],
] as const;

/** The job side: records barriers, completions and log lines. */
class TestJob implements CheckpointHost {
  readonly barriers: CheckpointBarrier[] = [];
  readonly completed: number[] = [];
  readonly logs: string[] = [];
  /** Errors the coordinator failed the job with. */
  readonly failures: EddyError[] = [];
  /** Whether `_metadata` was on disk when the sinks were told to commit, per checkpoint. */
  readonly metadataAtCommit: boolean[] = [];
  coordinator: CheckpointCoordinator | undefined;
  autoAck = false;
  constructor(private readonly store: LocalCheckpointStore) {}
  injectBarrier(barrier: CheckpointBarrier): void {
    this.barriers.push(barrier);
    if (this.autoAck) queueMicrotask(() => this.ackAll(barrier.id));
  }
  notifyComplete(checkpointId: number): void {
    this.completed.push(checkpointId);
    this.metadataAtCommit.push(
      existsSync(join(this.store.pathOf(`chk-${checkpointId}`), METADATA_FILE)),
    );
  }
  log(message: string): void {
    this.logs.push(message);
  }
  failJob(error: EddyError): void {
    this.failures.push(error);
  }
  ack(
    id: number,
    nodeId: number,
    index: number,
    encoded?: EncodedState | Promise<EncodedState>,
  ): void {
    this.coordinator?.acknowledge(id, {
      nodeId,
      index,
      encoded: encoded ?? state(`${nodeId}/${index}@${id}`),
      keyGroups: nodeId === 2 ? { start: 0, end: 127 } : undefined,
      alignmentMs: 0,
    });
  }
  ackAll(id: number): void {
    for (const [n, i] of SUBTASKS) this.ack(id, n, i);
  }
}

function state(position: string): EncodedState {
  return { data: encodeSubtaskState({ source: position }), states: [] };
}

function coordinator(
  store: CheckpointStore | undefined,
  job: TestJob,
  options: Partial<CoordinatorOptions> = {},
): CheckpointCoordinator {
  const c = new CheckpointCoordinator(
    {
      store,
      intervalMs: undefined,
      timeoutMs: 60_000,
      minPauseMs: 0,
      // These tests look at one checkpoint after another failing; the tolerance has its own tests.
      tolerableFailures: Number.MAX_SAFE_INTEGER,
      retained: 3,
      jobName: 'job',
      planFingerprint: 'fp',
      maxParallelism: 128,
      operators,
      firstId: 1,
      existing: [],
      ...options,
    },
    job,
  );
  job.coordinator = c;
  return c;
}

/** Whether a promise has settled, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (
    (await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      Promise.resolve(marker),
    ])) !== marker
  );
}

test('a checkpoint completes only when every subtask acknowledged and _metadata is written; then sinks commit', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  const c = coordinator(store, job);
  const done = c.triggerCheckpoint();
  await barriers(job, 1);
  assert.deepEqual(
    job.barriers.map((b) => [b.id, b.savepoint]),
    [[1, false]],
  );
  job.ack(1, 1, 0);
  job.ack(1, 1, 1);
  await waitFor(
    () =>
      existsSync(join(store.pathOf('chk-1'), 'state-1-0')) &&
      existsSync(join(store.pathOf('chk-1'), 'state-1-1')),
    { message: 'the acknowledged state files' },
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await settled(done), false, 'one subtask has not acknowledged');
  assert.deepEqual(job.completed, []);
  assert.equal(existsSync(join(store.pathOf('chk-1'), METADATA_FILE)), false);
  job.ack(1, 2, 0);
  const record = await done;
  assert.equal(record.status, 'COMPLETED');
  assert.equal(record.id, 1);
  assert.deepEqual(job.completed, [1]);
  assert.deepEqual(job.metadataAtCommit, [true]);
  // What was acknowledged is what a restore reads back, checksums verified.
  const loaded = await loadCheckpoint(store, 'chk-1');
  assert.deepEqual(
    loaded.operators.get('src')?.subtasks.map((s) => s.source),
    ['1/0@1', '1/1@1'],
  );
  assert.deepEqual(loaded.operators.get('count')?.meta.subtasks[0]?.keyGroups, {
    start: 0,
    end: 127,
  });
  assert.equal(c.stats().completed, 1);
});

test('one checkpoint at a time: the next barrier goes out once the one in flight has ended', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  const c = coordinator(store, job);
  const first = c.triggerCheckpoint();
  const second = c.triggerCheckpoint();
  await barriers(job, 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    job.barriers.map((b) => b.id),
    [1],
  );
  job.ackAll(1);
  await first;
  await waitFor(() => job.barriers.length === 2, { message: 'the second barrier' });
  assert.equal(job.barriers[1]?.id, 2);
  job.ackAll(2);
  assert.equal((await second).id, 2);
  assert.deepEqual(job.completed, [1, 2]);
});

test('a timed-out checkpoint is discarded, its id is not reused, and late acknowledgements are ignored', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  // Long enough for checkpoint 2 to complete on a busy machine, short enough to wait for 1.
  const c = coordinator(store, job, { timeoutMs: 2000 });
  // Handled at once: on a busy machine the timeout may come before the barrier is even seen.
  const firstFailed = assert.rejects(c.triggerCheckpoint(), /timed out after 2000 ms/);
  await barriers(job, 1);
  job.ack(1, 1, 0);
  await firstFailed;
  await waitFor(async () => !existsSync(store.pathOf('chk-1')), {
    message: 'the failed checkpoint directory to be removed',
  });
  job.ack(1, 1, 1);
  job.ack(1, 2, 0);
  // Acknowledged as soon as its barrier arrives.
  job.autoAck = true;
  const second = c.triggerCheckpoint();
  assert.equal((await second).id, 2);
  assert.equal(job.barriers[1]?.id, 2);
  assert.deepEqual(job.completed, [2], 'the timed-out checkpoint never commits');
  assert.equal(existsSync(store.pathOf('chk-1')), false);
  assert.deepEqual(
    c.stats().history.map((r) => [r.id, r.status]),
    [
      [1, 'FAILED'],
      [2, 'COMPLETED'],
    ],
  );
  assert.match(job.logs[0] ?? '', /checkpoint 1 failed: timed out/);
});

test('a declined checkpoint fails without committing; the job goes on to the next', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  const c = coordinator(store, job);
  const first = c.triggerCheckpoint();
  await barriers(job, 1);
  job.ack(1, 1, 0);
  c.decline(1, 'state not serializable');
  await assert.rejects(first, /state not serializable/);
  assert.equal(c.stats().failed, 1);
  const second = c.triggerCheckpoint();
  await barriers(job, 2);
  // The declined checkpoint's last acknowledgements arrive while the next one is in flight.
  job.ack(1, 1, 1);
  job.ack(1, 2, 0);
  job.ack(2, 1, 0);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await settled(second), false, 'acknowledgements of checkpoint 1 do not count for 2');
  assert.deepEqual(job.completed, []);
  job.ack(2, 1, 1);
  job.ack(2, 2, 0);
  assert.equal((await second).status, 'COMPLETED');
  assert.deepEqual(job.completed, [2]);
});

test('a checkpoint declined for now (CHECKPOINT_DECLINED) does not count towards the tolerable failures; any other decline does', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  const c = coordinator(store, job, { tolerableFailures: 0 });
  for (const id of [1, 2]) {
    const skipped = c.triggerCheckpoint();
    await barriers(job, id);
    c.decline(id, 'no free transactional id', false);
    await assert.rejects(skipped, /no free transactional id/);
  }
  assert.equal(job.failures.length, 0, 'two declines for now in a row do not fail the job');
  const failed = c.triggerCheckpoint();
  await barriers(job, 3);
  c.decline(3, 'state not serializable');
  await assert.rejects(failed, /state not serializable/);
  assert.equal(job.failures.length, 1, 'a real decline fails the job at tolerance 0');
  assert.equal(job.failures[0]?.code, 'CHECKPOINT_FAILED');
});

test('a state file that fails to write fails the checkpoint: no _metadata, no commit, directory removed', async () => {
  const local = await tempStore();
  const job = new TestJob(local);
  const failing: CheckpointStore = {
    root: local.root,
    write: (location, name, data) =>
      name === 'state-2-0'
        ? Promise.reject(new Error('disk full'))
        : local.write(location, name, data),
    read: (location, name) => local.read(location, name),
    list: (prefix) => local.list(prefix),
    listFiles: (location) => local.listFiles(location),
    removeFile: (location, name) => local.removeFile(location, name),
    remove: (location) => local.remove(location),
    pathOf: (location) => local.pathOf(location),
    close: () => local.close(),
  };
  const c = coordinator(failing, job);
  const done = c.triggerCheckpoint();
  await barriers(job, 1);
  job.ackAll(1);
  await assert.rejects(done, /disk full/);
  assert.deepEqual(job.completed, []);
  await waitFor(async () => !existsSync(local.pathOf('chk-1')), {
    message: 'the failed checkpoint directory to be removed',
  });
});

test('state serialized after the barrier (a promise, as LMDB gives) is awaited before completing', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  const c = coordinator(store, job);
  const done = c.triggerCheckpoint();
  await barriers(job, 1);
  let resolve!: (s: EncodedState) => void;
  job.ack(1, 1, 0);
  job.ack(1, 1, 1);
  job.ack(
    1,
    2,
    0,
    new Promise<EncodedState>((r) => {
      resolve = r;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(await settled(done), false, 'the keyed state is still being read');
  resolve(state('late'));
  await done;
  const loaded = await loadCheckpoint(store, 'chk-1');
  assert.equal(loaded.operators.get('count')?.subtasks[0]?.source, 'late');
});

test('retention keeps the newest completed checkpoints; savepoints commit only when asked and are never retired', async () => {
  const store = await tempStore();
  const savepoints = await tempStore();
  const job = new TestJob(store);
  job.autoAck = true;
  const c = coordinator(store, job, { retained: 2 });
  for (let i = 0; i < 3; i++) await c.triggerCheckpoint();
  const sp = await c.triggerSavepoint(savepoints, false);
  assert.equal(sp.savepoint, true);
  assert.equal(sp.id, 4);
  await c.triggerCheckpoint();
  // `_completed` records the newest committed checkpoint (see completed-checkpoint-record.ts);
  // old checkpoints are removed in the background.
  await waitFor(
    async () => (await readdir(store.root)).sort().join() === '_completed,chk-3,chk-5',
    { message: 'checkpoints 3 and 5 retained' },
  );
  assert.equal((await readdir(savepoints.root)).length, 1);
  assert.deepEqual(job.completed, [1, 2, 3, 5], 'a plain savepoint does not make sinks commit');
  const stop = await c.triggerSavepoint(savepoints, true);
  assert.deepEqual(job.completed, [1, 2, 3, 5, stop.id]);
});

test('periodic checkpoints never overlap, and the final checkpoint fails with CHECKPOINT_FAILED', async () => {
  const store = await tempStore();
  const job = new TestJob(store);
  let inFlight = 0;
  let overlapped = false;
  const c = coordinator(store, job, { intervalMs: 5, minPauseMs: 0 });
  // Acknowledge each barrier a little later, checking that no other barrier arrives meanwhile.
  job.injectBarrier = (barrier) => {
    job.barriers.push(barrier);
    inFlight++;
    if (inFlight > 1) overlapped = true;
    setTimeout(() => {
      inFlight--;
      job.ackAll(barrier.id);
    }, 10);
  };
  c.start();
  await waitFor(() => job.completed.length >= 3, { message: 'three periodic checkpoints' });
  assert.equal(overlapped, false);
  assert.deepEqual(job.completed.slice(0, 3), [1, 2, 3]);
  c.stop();
  const noStore = coordinator(undefined, new TestJob(store));
  await assert.rejects(
    noStore.triggerFinalCheckpoint(),
    (e: unknown) => e instanceof EddyError && e.code === 'CHECKPOINT_FAILED',
  );
});
