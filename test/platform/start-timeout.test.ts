/**
 * A start that does not reach RUNNING within `systemRollback.startTimeoutMs`: an update to such
 * a version rolls back by itself to the version it ran before (a SYSTEM_ROLLBACK by `system`,
 * counts continuing exactly once), and a plain start of it fails with a reason naming the
 * timeout. Real server, real application processes, real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.ts';
import {
  packageJob,
  startPlatformServer,
  type Json,
  type PlatformServer,
} from '../support/platform-server.ts';
import { COUNTER_PROPS, assertExactlyOnce, countLines } from './counter-app-output.ts';

describe('start timeout', { timeout: 480_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-start-timeout-test-'));
  let server: PlatformServer;
  let counter = '';
  let slow = '';

  before(async () => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/slow-start-app.ts', join(scratch, 'slow.eddy'), [
      'slow.hang=false',
    ]);
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
    counter = await server.upload(join(scratch, 'v1.eddy'));
    slow = await server.upload(join(scratch, 'slow.eddy'));
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const operations = async (name: string): Promise<Json[]> =>
    (await server.call('GET', `/v1/applications/${name}/operations`)).json;

  it('rolls an update back by itself when the new version does not start in time', async () => {
    const out = join(scratch, 'out');
    const config = {
      properties: { counter: { out, rate: '200' } },
      checkpoints: { intervalMs: 300 },
      resources: { units: 0.25 },
    };
    await server.create('counts', counter, config);
    await server.startApp('counts');
    await waitFor(() => countLines(out).length >= 30, {
      timeoutMs: 60_000,
      message: 'the counter to commit 30 counts',
    });
    // The new version (only) gets a short start timeout; version 1 keeps the default.
    const patch = await server.call('PATCH', '/v1/applications/counts', {
      artifactId: slow,
      config: { ...config, systemRollback: { startTimeoutMs: 4000 } },
    });
    assert.equal(patch.status, 202, patch.text);
    const update = await server.operationEnds(patch.json.operationId, 180_000);
    assert.equal(update.status, 'FAILED', JSON.stringify(update));
    assert.match(update.failureReason, /did not start running within 4000 ms/);
    assert.equal(update.failureCode, 'TIMEOUT');

    const app = await server.waitForStatus('counts', ['RUNNING', 'FAILED'], 180_000);
    assert.equal(app.status, 'RUNNING', JSON.stringify(app));
    assert.equal(app.version, 1, 'back on the version it ran before');
    assert.equal(app.lastFailure.kind, 'START_FAILED');
    const rollback = (await operations('counts')).find((o) => o.type === 'SYSTEM_ROLLBACK');
    assert.ok(rollback !== undefined, JSON.stringify(await operations('counts')));
    assert.equal(rollback.by, 'system');
    assert.equal((await server.operationEnds(rollback.id)).status, 'SUCCESSFUL');
    assert.equal(rollback.snapshot, update.snapshot, "from the update's snapshot");

    // Counting goes on from the state it had: nothing lost, nothing twice.
    const before = countLines(out).length;
    await waitFor(() => countLines(out).length >= before + 30, {
      timeoutMs: 60_000,
      message: 'the counter to go on after the rollback',
    });
    const stop = await server.call('POST', '/v1/applications/counts/stop', {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    assertExactlyOnce(countLines(out));
  });

  it('fails a plain start that does not reach RUNNING in time, saying so', async () => {
    await server.create('slow', slow, {
      resources: { units: 0.25 },
      systemRollback: { startTimeoutMs: 3000 },
    });
    const r = await server.call('POST', '/v1/applications/slow/start', {
      restore: { mode: 'SKIP_RESTORE' },
    });
    assert.equal(r.status, 202, r.text);
    const op = await server.operationEnds(r.json.operationId);
    assert.equal(op.status, 'FAILED', JSON.stringify(op));
    assert.match(op.failureReason, /did not start running within 3000 ms/);
    assert.match(op.failureReason, /startTimeoutMs/);
    const app = await server.waitForStatus('slow', 'FAILED');
    assert.equal(app.lastFailure.kind, 'START_FAILED');
    assert.match(app.lastFailure.reason, /did not start running within 3000 ms/);
    assert.equal(app.job, undefined, 'no job left behind');
    // Its process is gone: nothing holds the resources.
    assert.equal((await operations('slow')).filter((o) => o.status === 'IN_PROGRESS').length, 0);
  });
});
