/**
 * Checkpoints and savepoints on object storage (S3Proxy): a failed task restores from an
 * `s3://` checkpoint with exactly-once output; stop-with-savepoint to S3 and a restore from it,
 * read back by `eddy checkpoints` and `eddy state`; a partial checkpoint (no `_metadata`) is
 * never taken as complete, also when deleting one fails half-way; and the server restarted in the
 * middle of a checkpoint — carried by retries when it comes back in time, failing checkpoints
 * (but never the job) when it does not.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  FileSink,
  StreamEnvironment,
  ValueStateDescriptor,
  type EnvironmentOptions,
  type JobClient,
} from '../../src/index.ts';
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
} from '../../src/core/connector-spi.ts';
import type { ObjectStorageOptions } from '../../src/core/object-storage-options.ts';
import {
  findLatestCheckpoint,
  loadCheckpoint,
} from '../../src/runtime/checkpoint/checkpoint-loader.ts';
import { BlobCheckpointStore } from '../../src/runtime/checkpoint/blob-checkpoint-store.ts';
import { openCheckpointStore } from '../../src/runtime/checkpoint/open-checkpoint-store.ts';
import { S3BlobStore } from '../../src/storage/s3-blob-store.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { committedLines } from '../support/kill-loop.ts';
import {
  ensureS3,
  startPrivateS3,
  uniquePrefix,
  type PrivateS3Server,
  type S3Server,
} from '../support/s3-server.ts';
import { waitFor } from '../support/wait-for.ts';

const s3 = await ensureS3();
const skip = 'skip' in s3 ? s3.skip : false;
const server = s3 as S3Server;
const eddy = new URL('../../bin/eddy.js', import.meta.url).pathname;
const run = promisify(execFile);

const RECORDS = 3000;
const PAUSE_AT = 1500;

/** What the test changes while a job runs: the source's gate, a one-time failure. */
interface Control {
  released: boolean;
  failArmed: boolean;
}

interface Rec {
  readonly key: string;
  readonly value: number;
}

/**
 * `RECORDS` deterministic records; it stops at `PAUSE_AT` until the test releases it, so a test
 * can wait for checkpoints (taken meanwhile) before anything else happens. Its state: position.
 */
class GatedSource implements Source<Rec> {
  readonly name = 'gated';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  constructor(private readonly control: Control) {}
  describe() {
    return { kind: 'gated', records: RECORDS };
  }
  createReader(): SourceReader<Rec> {
    let i = 0;
    const control = this.control;
    return {
      pollNext(out: SourceOutput<Rec>): InputStatus {
        const stop = control.released ? RECORDS : PAUSE_AT;
        const end = Math.min(stop, i + Math.min(100, out.remaining));
        for (; i < end; i++) out.collect({ key: `k${(i * 7919) % 11}`, value: i % 97 });
        return i >= RECORDS ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
      },
      isAvailable: () => new Promise((r) => setTimeout(r, 2)),
      snapshotState: () => i,
      restoreState: (s) => {
        i = s as number;
      },
    };
  }
}

/** Running sums per key into an exactly-once file sink in `dir/out`; fails once when armed. */
function build(dir: string, control: Control, options: EnvironmentOptions): StreamEnvironment {
  const env = StreamEnvironment.create({ handleSignals: false, parallelism: 2, ...options });
  env
    .fromSource(new GatedSource(control))
    .uid('gated')
    .keyBy((r) => r.key)
    .map((r, ctx) => {
      if (control.failArmed) {
        control.failArmed = false;
        throw new Error('injected failure');
      }
      const sum = ctx.getState(new ValueStateDescriptor<number>('sum'));
      sum.update((sum.value() ?? 0) + r.value);
      return `${r.key} ${sum.value()}`;
    })
    .uid('sums')
    .sinkTo(FileSink.lines<string>(join(dir, 'out')))
    .uid('sink');
  return env;
}

let reference: string[] | undefined;
async function expected(): Promise<string[]> {
  if (reference !== undefined) return reference;
  const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-ref-'));
  await build(dir, { released: true, failArmed: false }, {}).execute('s3-reference');
  reference = committedLines(dir);
  assert.ok(reference.length === RECORDS);
  return reference;
}

const completed = (client: JobClient, n: number, message: string) =>
  waitFor(() => client.checkpointStats().completed >= n, { timeoutMs: 120_000, message });

/** Captures `eddy: …` lines the job writes to stderr while `fn` runs. */
async function capturingStderr<T>(fn: (lines: string[]) => Promise<T>): Promise<T> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => {
    lines.push(String(s));
    return write(s);
  }) as typeof process.stderr.write;
  try {
    return await fn(lines);
  } finally {
    process.stderr.write = write;
  }
}

describe('checkpoints on S3', { skip }, () => {
  test('a failed task restores from the newest s3:// checkpoint, output exactly once', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-restore-'));
    const checkpointDir = `s3://${server.bucket}/${uniquePrefix('restore')}/chk`;
    const control: Control = { released: false, failArmed: false };
    const client = build(dir, control, {
      checkpointInterval: 20,
      checkpointDir,
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: 10 },
    }).executeAsync('s3-restore');
    t.after(() => client.cancel().catch(() => {}));
    await completed(client, 2, 'two checkpoints on S3');
    control.failArmed = true;
    control.released = true;
    await client.result;
    const stats = client.checkpointStats();
    assert.equal(stats.restarts, 1);
    assert.match(stats.restoredFrom ?? '', new RegExp(`^${checkpointDir}/chk-\\d+$`));
    assert.match(client.exceptionHistory()[0]?.message ?? '', /injected failure/);
    assert.deepEqual(committedLines(dir), await expected());
    // The newest checkpoint reads back from S3 with every checksum verified.
    const store = await openCheckpointStore(checkpointDir);
    const latest = await findLatestCheckpoint(store, () => {});
    await store.close();
    assert.equal(latest?.metadata.jobName, 's3-restore');
  });

  test('stop with a savepoint on S3, restore from it; eddy checkpoints and eddy state read it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-savepoint-'));
    const root = `s3://${server.bucket}/${uniquePrefix('savepoint')}`;
    const control: Control = { released: false, failArmed: false };
    const first = build(dir, control, {
      checkpointInterval: 20,
      checkpointDir: `${root}/chk`,
    }).executeAsync('s3-savepoint');
    t.after(() => first.cancel().catch(() => {}));
    await completed(first, 1, 'a checkpoint before the savepoint');
    const savepoint = await first.stopWithSavepoint(`${root}/savepoints`);
    await first.result;
    assert.match(savepoint, new RegExp(`^${root}/savepoints/savepoint-\\d+-[0-9a-f]{8}$`));

    const listed = await run(process.execPath, [eddy, 'checkpoints', savepoint, '--json']);
    const row = JSON.parse(listed.stdout.trim()) as { status: string; savepoint: boolean };
    assert.equal(row.status, 'COMPLETED');
    assert.equal(row.savepoint, true);
    const state = await run(process.execPath, [
      eddy,
      'state',
      savepoint,
      '--operator',
      'sums',
      '--json',
      '--limit',
      '0',
    ]);
    const entries = state.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string });
    assert.equal(entries.length, 11, 'one running sum per key');
    const dirListing = await run(process.execPath, [eddy, 'checkpoints', `${root}/chk`]);
    assert.match(dirListing.stdout, /COMPLETED {2}checkpoint \d+ of "s3-savepoint"/);

    control.released = true;
    const second = build(dir, control, { fromSavepoint: savepoint }).executeAsync('s3-savepoint');
    await second.result;
    assert.equal(second.checkpointStats().restoredFrom, savepoint);
    assert.deepEqual(committedLines(dir), await expected());
  });

  test('a location without _metadata is never taken as a checkpoint', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-partial-'));
    const checkpointDir = `s3://${server.bucket}/${uniquePrefix('partial')}/chk`;
    const first = build(
      dir,
      { released: false, failArmed: false },
      {
        checkpointInterval: 20,
        checkpointDir,
      },
    ).executeAsync('s3-partial');
    t.after(() => first.cancel().catch(() => {}));
    await completed(first, 2, 'two checkpoints');
    await first.cancel();
    const store = await openCheckpointStore(checkpointDir);
    const good = await findLatestCheckpoint(store, () => {});
    assert.ok(good !== undefined);
    const goodId = good.metadata.checkpointId;
    // A checkpoint whose state files all arrived but whose _metadata did not (a crash between).
    const partial = `chk-${goodId + 5}`;
    for (const op of good.metadata.operators)
      for (const st of op.subtasks)
        await store.write(partial, st.file, await store.read(`chk-${goodId}`, st.file));
    const skipped: string[] = [];
    assert.equal(
      (await findLatestCheckpoint(store, (m) => skipped.push(m)))?.metadata.checkpointId,
      goodId,
    );
    assert.match(
      skipped.join('\n'),
      new RegExp(`skipping checkpoint .*/${partial}: no readable _metadata`),
    );
    const listed = await run(process.execPath, [eddy, 'checkpoints', checkpointDir, '--json']);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { location: string; status: string });
    assert.deepEqual(
      rows.find((r) => r.location.endsWith(partial))?.status,
      'INVALID',
      listed.stdout,
    );
    await store.close();

    // A new run restores the complete one and never reuses the partial one's id.
    const control: Control = { released: true, failArmed: false };
    const second = build(dir, control, { checkpointInterval: 20, checkpointDir }).executeAsync(
      's3-partial',
    );
    await second.result;
    assert.equal(second.checkpointStats().restoredFrom, `${checkpointDir}/chk-${goodId}`);
    const ids = second.checkpointStats().history.map((r) => r.id);
    assert.ok(
      ids.every((id) => id > goodId + 5),
      `ids ${ids.join()} after partial ${partial}`,
    );
    assert.deepEqual(committedLines(dir), await expected());
  });

  test('deleting a checkpoint removes _metadata first: a half-deleted one is not complete', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-delete-'));
    const prefix = `${uniquePrefix('delete')}/chk`;
    const job = build(
      dir,
      { released: false, failArmed: false },
      {
        checkpointInterval: 20,
        checkpointDir: `s3://${server.bucket}/${prefix}`,
      },
    ).executeAsync('s3-delete');
    t.after(() => job.cancel().catch(() => {}));
    await completed(job, 1, 'a checkpoint');
    await job.cancel();
    // The process "dies" after its first delete request: every later one is refused.
    let deletes = 0;
    const proxy = await startFaultProxy(server.endpoint, (r) =>
      r.method === 'DELETE' && ++deletes > 1 ? { status: 403, code: 'AccessDenied' } : undefined,
    );
    const store = new BlobCheckpointStore(
      new S3BlobStore(`s3://${server.bucket}/${prefix}`, { endpoint: proxy.endpoint }),
    );
    try {
      const latest = await findLatestCheckpoint(store, () => {});
      assert.ok(latest !== undefined);
      const location = `chk-${latest.metadata.checkpointId}`;
      await assert.rejects(store.remove(location), /access refused/);
      assert.ok((await store.list(location)).includes(location), 'state files are left');
      await assert.rejects(loadCheckpoint(store, location), /no readable _metadata/);
    } finally {
      await store.close();
      await proxy.close();
    }
  });
  test('a cancelled job ends after its checkpoint writes: nothing changes in the store later', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-settle-'));
    const prefix = `${uniquePrefix('settle')}/chk`;
    // Once armed, the next `_metadata` upload is held for a second: the cancel comes meanwhile.
    let armed = false;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const proxy = await startFaultProxy(server.endpoint, (r) => {
      if (!armed || r.method !== 'PUT' || !r.path.endsWith('/_metadata')) return undefined;
      armed = false;
      held();
      return { delayMs: 1000 };
    });
    t.after(() => proxy.close());
    const job = build(
      dir,
      { released: false, failArmed: false },
      {
        checkpointInterval: 20,
        checkpointDir: `s3://${server.bucket}/${prefix}`,
        objectStorage: { endpoint: proxy.endpoint },
      },
    ).executeAsync('s3-settle');
    t.after(() => job.cancel().catch(() => {}));
    await completed(job, 1, 'a checkpoint');
    armed = true;
    await holding;
    await job.cancel();
    const blobs = new S3BlobStore(`s3://${server.bucket}/${prefix}`, { endpoint: server.endpoint });
    try {
      const atEnd = await blobs.list('');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.deepEqual(
        await blobs.list(''),
        atEnd,
        'the job wrote or removed files after it ended',
      );
      // The held upload was waited for: the newest checkpoint is complete (a restore may take it).
      const latest = await findLatestCheckpoint(new BlobCheckpointStore(blobs), () => {});
      const newest = Math.max(...atEnd.map((k) => Number(/^chk-(\d+)\//.exec(k)?.[1] ?? 0)));
      assert.equal(latest?.metadata.checkpointId, newest, atEnd.join(', '));
    } finally {
      await blobs.close();
    }
  });
});

describe('the S3 server restarted during checkpoints', { skip }, () => {
  let privateServer: PrivateS3Server;
  before(async () => {
    const started = await startPrivateS3(mkdtempSync(join(tmpdir(), 'eddy-s3proxy-private-')));
    if ('skip' in started) throw new Error(started.skip);
    privateServer = started;
  });
  after(async () => {
    await privateServer?.destroy();
  });

  const storage = (extra: ObjectStorageOptions): ObjectStorageOptions => ({
    endpoint: privateServer.endpoint,
    retryBaseDelayMs: 50,
    ...extra,
  });

  test('a checkpoint in flight when the server goes down completes on retries after it is back', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-restart-'));
    const control: Control = { released: false, failArmed: false };
    await capturingStderr(async (stderr) => {
      const client = build(dir, control, {
        checkpointInterval: 50,
        checkpointDir: `s3://${privateServer.bucket}/${uniquePrefix('restart')}/chk`,
        // Enough tries to outlast a JVM restart on a loaded machine (about a minute).
        objectStorage: storage({ maxAttempts: 80, retryMaxDelayMs: 1000 }),
        restartStrategy: { type: 'none' },
      }).executeAsync('s3-restart');
      t.after(() => client.cancel().catch(() => {}));
      await completed(client, 2, 'two checkpoints before the restart');
      await privateServer.stop();
      // A checkpoint is in flight and its requests fail: the store says it will try again.
      await waitFor(() => stderr.some((l) => /failed \(.*\); try \d+ of 80/.test(l)), {
        timeoutMs: 60_000,
        message: 'a retried checkpoint request',
      });
      // The server is down at least until now.
      const down = Date.now();
      await privateServer.start();
      const before = client.checkpointStats().completed;
      await completed(client, before + 1, 'a checkpoint after the restart');
      const spanning = client
        .checkpointStats()
        .history.find(
          (r) =>
            r.status === 'COMPLETED' && r.triggeredAt < down && r.triggeredAt + r.durationMs > down,
        );
      assert.ok(
        spanning !== undefined,
        'a checkpoint in flight while the server was down completed',
      );
      assert.equal(client.checkpointStats().failed, 0);
      control.released = true;
      await client.result;
    });
    assert.deepEqual(committedLines(dir), await expected());
  });

  test('an outage longer than the retries fails checkpoints, not the job; restore takes a complete one', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-outage-'));
    const checkpointDir = `s3://${privateServer.bucket}/${uniquePrefix('outage')}/chk`;
    const control: Control = { released: false, failArmed: false };
    const client = build(dir, control, {
      checkpointInterval: 50,
      checkpointDir,
      objectStorage: storage({ maxAttempts: 2, retryMaxDelayMs: 100 }),
      // Flink's default fails the job on the first failed checkpoint; this test is about
      // tolerating an outage, as a job configured for flaky storage would.
      tolerableCheckpointFailures: 1_000,
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: 10 },
    }).executeAsync('s3-outage');
    t.after(() => client.cancel().catch(() => {}));
    await completed(client, 2, 'two checkpoints before the outage');
    await privateServer.stop();
    await waitFor(() => client.checkpointStats().failed >= 2, {
      timeoutMs: 60_000,
      message: 'checkpoints failing while the server is down',
    });
    await privateServer.start();
    const before = client.checkpointStats().completed;
    await completed(client, before + 1, 'a checkpoint after the outage');
    const completedIds = new Set(
      client
        .checkpointStats()
        .history.filter((r) => r.status === 'COMPLETED')
        .map((r) => r.id),
    );
    control.failArmed = true;
    control.released = true;
    await client.result;
    const stats = client.checkpointStats();
    assert.equal(stats.restarts, 1);
    const restoredId = Number(/chk-(\d+)$/.exec(stats.restoredFrom ?? '')?.[1]);
    assert.ok(restoredId >= Math.max(...completedIds), `restored ${stats.restoredFrom}`);
    assert.deepEqual(committedLines(dir), await expected());
  });
});
