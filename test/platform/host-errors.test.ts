/**
 * Errors of an application's process keep their code across the IPC channel: a snapshot whose
 * savepoint cannot be written fails its operation with the host's CHECKPOINT_FAILED (retryable), not
 * INTERNAL; a flame graph asked for while one is being taken of the same thread answers 409
 * CONFLICT, as the host said, not 400/500. A real server, a real application process, real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.ts';
import {
  packageJob,
  startPlatformServer,
  type PlatformServer,
} from '../support/platform-server.ts';
import { assertExactlyOnce, COUNTER_PROPS, countLines } from './counter-app-output.ts';

/**
 * Runs `during` while a file stands where `app`'s snapshots directory belongs, so no savepoint of
 * it can be written (root ignores permissions, not this); then puts the directory back.
 */
async function withUnwritableSnapshots(
  server: PlatformServer,
  app: string,
  during: () => Promise<void>,
): Promise<void> {
  const snapshots = join(server.options.dataDir, `apps/${app}/snapshots`);
  rmSync(snapshots, { recursive: true, force: true });
  writeFileSync(snapshots, 'not a directory');
  try {
    await during();
  } finally {
    rmSync(snapshots, { force: true });
    mkdirSync(snapshots, { recursive: true });
  }
}

/** Waits for 20 more counts committed under `out` (the job runs and checkpoints). */
async function countsKeepComing(out: string, after: string): Promise<void> {
  const committed = countLines(out).length;
  await waitFor(() => countLines(out).length >= committed + 20, {
    timeoutMs: 60_000,
    message: `counts committed after ${after}`,
  });
}

describe('host errors keep their code', { timeout: 300_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-host-errors-test-'));
  const out = join(scratch, 'out');
  let server: PlatformServer;
  let artifact: string;

  before(async () => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
    artifact = await server.upload(join(scratch, 'v1.eddy'));
    await server.create('counts', artifact, {
      properties: { counter: { out, rate: '200' } },
      checkpoints: { intervalMs: 500 },
      resources: { units: 0.25 },
    });
    await server.startApp('counts');
    await waitFor(() => countLines(out).length >= 10, {
      timeoutMs: 60_000,
      message: 'the counter to commit 10 counts',
    });
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails a snapshot that cannot be written with the host CHECKPOINT_FAILED, and the job runs on', async () => {
    await withUnwritableSnapshots(server, 'counts', async () => {
      const r = await server.call('POST', '/v1/applications/counts/snapshots', {});
      assert.equal(r.status, 202, r.text);
      const op = await server.operationEnds(r.json.operationId);
      assert.equal(op.status, 'FAILED', JSON.stringify(op));
      assert.equal(op.failureCode, 'CHECKPOINT_FAILED', JSON.stringify(op));
      assert.equal(op.failureRetryable, true, JSON.stringify(op));
      assert.match(op.failureReason, /ENOTDIR|not a directory/i);
      const listed = await server.call('GET', `/v1/operations/${op.id}`);
      assert.equal(listed.json.failureCode, 'CHECKPOINT_FAILED');
    });
    assert.equal((await server.describe('counts')).status, 'RUNNING');
    // Asked again once the disk is fixed, it succeeds: the failure was retryable.
    const again = await server.call('POST', '/v1/applications/counts/snapshots', {});
    assert.equal((await server.operationEnds(again.json.operationId)).status, 'SUCCESSFUL');
  });

  it('answers 409 CONFLICT, as the host did, for a second flame graph of one thread', async () => {
    const view = (await server.call('GET', '/v1/applications/counts/job')).json;
    const vertex = view.vertices[0].id as string;
    const ask = (durationMs: number) =>
      server.call('POST', '/v1/applications/counts/job/flamegraph', {
        vertex,
        subtask: 0,
        durationMs,
      });
    const first = ask(3000);
    // The second arrives while the first samples (the host answers the first after 3 s).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await ask(200);
    assert.equal(second.status, 409, second.text);
    assert.equal(second.json.error.code, 'CONFLICT');
    assert.match(second.json.error.message, /being taken already/);
    assert.equal(second.json.error.hint, 'wait for it to finish, then ask again');
    assert.equal((await first).status, 200);
  });

  it('fails a stop whose snapshot cannot be written, before or after its barrier; the application runs on, checkpointing, and stops later', async () => {
    // Parallelism 2: the job runs on worker threads of its process (and parallelism 1 in the
    // process's own thread: test/state/stop-with-savepoint.test.ts).
    const out2 = join(scratch, 'out2');
    const refuse = join(scratch, 'refuse-snapshots');
    await server.create('threads', artifact, {
      parallelism: 2,
      properties: { counter: { out: out2, rate: '200', 'refuse-snapshots-while': refuse } },
      // Checkpoints that fall while snapshots are refused fail; the job rides them out.
      checkpoints: { intervalMs: 300, tolerableFailures: 1000 },
      resources: { units: 0.5 },
    });
    await server.startApp('threads');
    await waitFor(() => countLines(out2).length >= 10, {
      timeoutMs: 60_000,
      message: 'the threaded counter to commit 10 counts',
    });
    await withUnwritableSnapshots(server, 'threads', async () => {
      const r = await server.call('POST', '/v1/applications/threads/stop', {});
      assert.equal(r.status, 202, r.text);
      const op = await server.operationEnds(r.json.operationId);
      assert.equal(op.status, 'FAILED', JSON.stringify(op));
      assert.equal(op.failureCode, 'CHECKPOINT_FAILED', JSON.stringify(op));
    });
    assert.equal((await server.describe('threads')).status, 'RUNNING');
    // Its checkpoints go on (the exactly-once sink commits on each): counts keep arriving.
    await countsKeepComing(out2, 'the failed stop');
    // Failing after its barrier went out (the source's snapshot fails): the sources, held still
    // from the barrier on, read on.
    writeFileSync(refuse, '');
    try {
      const r = await server.call('POST', '/v1/applications/threads/stop', {});
      assert.equal(r.status, 202, r.text);
      const op = await server.operationEnds(r.json.operationId);
      assert.equal(op.status, 'FAILED', JSON.stringify(op));
      assert.match(op.failureReason, /snapshots refused while/);
    } finally {
      rmSync(refuse, { force: true });
    }
    assert.equal((await server.describe('threads')).status, 'RUNNING');
    await countsKeepComing(out2, 'the stop failed past its barrier');
    const view = (await server.call('GET', '/v1/applications/threads/job')).json;
    assert.equal(view.checkpoints.restarts, 0, 'the job ran on, it did not restart');
    // It is still meant to run: a server that died now restarts it.
    await server.kill();
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
    await server.waitForStatus('threads', 'RUNNING');
    await countsKeepComing(out2, 'the server restarted');
    const stop = await server.call('POST', '/v1/applications/threads/stop', {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    assert.equal((await server.describe('threads')).status, 'READY');
    assertExactlyOnce(countLines(out2));
  });
});
