/**
 * An update interrupted by a SIGKILL of the server at a known stage (the random kills of
 * server-kill-loop.test.ts land anywhere): right after the update's snapshot (the old job
 * stopped with it), and while the new version starts. On restart the application ends RUNNING on
 * the old or the new version with its keyed state (counts continue, none twice, none missing),
 * and the update operation ends FAILED with the reason "server restarted"; a new version that
 * cannot start after the restart is rolled back by the system from the update's snapshot.
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

describe('an update interrupted by a server kill', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-update-kill-test-'));
  const dataDir = join(scratch, 'data');
  let server: PlatformServer;
  let counter = '';
  let slow = '';

  before(async () => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/slow-start-app.ts', join(scratch, 'slow.eddy'), [
      'slow.hang=false',
    ]);
    server = await startPlatformServer({ dataDir });
    counter = await server.upload(join(scratch, 'v1.eddy'));
    slow = await server.upload(join(scratch, 'slow.eddy'));
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const configOf = (out: string, tag: string) => ({
    properties: { counter: { out, rate: '200', version: tag } },
    checkpoints: { intervalMs: 300 },
    resources: { units: 0.25 },
  });

  const startCounting = async (name: string, out: string) => {
    await server.create(name, counter, configOf(out, '1'));
    await server.startApp(name);
    await waitFor(() => countLines(out).length >= 30, {
      timeoutMs: 60_000,
      message: `${name} to commit 30 counts`,
    });
  };

  const restartServer = async () => {
    await server.kill();
    server = await startPlatformServer({ dataDir });
  };

  const finish = async (name: string, out: string) => {
    const before = countLines(out).length;
    await waitFor(() => countLines(out).length >= before + 30, {
      timeoutMs: 90_000,
      message: `${name} to go on counting`,
    });
    const stop = await server.call('POST', `/v1/applications/${name}/stop`, {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    return assertExactlyOnce(countLines(out));
  };

  it('after the snapshot: the application ends RUNNING with its state, the update FAILED', async () => {
    const out = join(scratch, 'out-a');
    await startCounting('snap', out);
    const patch = await server.call('PATCH', '/v1/applications/snap', {
      config: configOf(out, '2'),
    });
    assert.equal(patch.status, 202, patch.text);
    // Killed the moment the update's snapshot is READY (the old job stopped with it).
    await waitFor(
      async () => {
        const snaps: Json[] = (await server.call('GET', '/v1/applications/snap/snapshots')).json;
        return snaps.some((s) => s.status === 'READY') ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 10, message: "the update's snapshot" },
    );
    await restartServer();
    const update = (await server.call('GET', `/v1/operations/${patch.json.operationId}`)).json;
    assert.equal(update.status, 'FAILED', JSON.stringify(update));
    assert.equal(update.failureReason, 'server restarted');
    const app = await server.waitForStatus('snap', ['RUNNING', 'FAILED'], 180_000);
    assert.equal(app.status, 'RUNNING', JSON.stringify(app));
    assert.ok(app.version === 1 || app.version === 2, `version ${app.version}`);
    const byKey = await finish('snap', out);
    // The state went on: every key counted past what it had before the update.
    for (const lines of byKey.values()) assert.ok(lines.length > 2);
  });

  it('while the new version starts: on restart it cannot start, and the system rolls back', async () => {
    const out = join(scratch, 'out-b');
    await startCounting('starting', out);
    const patch = await server.call('PATCH', '/v1/applications/starting', {
      artifactId: slow,
      config: { ...configOf(out, '1'), systemRollback: { startTimeoutMs: 4000 } },
    });
    assert.equal(patch.status, 202, patch.text);
    // Killed while the new version starts (it is current, the update still in progress).
    await waitFor(
      async () => {
        const d = await server.describe('starting');
        return d.version === 2 && d.status === 'UPDATING' ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 10, message: 'the new version to be starting' },
    );
    await restartServer();
    const update = (await server.call('GET', `/v1/operations/${patch.json.operationId}`)).json;
    assert.equal(update.status, 'FAILED', JSON.stringify(update));
    assert.equal(update.failureReason, 'server restarted');
    const app = await waitFor(
      async () => {
        const d = await server.describe('starting');
        return d.status === 'RUNNING' || d.status === 'FAILED' ? d : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 100, message: 'starting to settle' },
    );
    assert.equal(app.status, 'RUNNING', JSON.stringify(app));
    assert.equal(app.version, 1, 'rolled back to the version it ran before');
    const ops: Json[] = (await server.call('GET', '/v1/applications/starting/operations')).json;
    const rollback = ops.find((o) => o.type === 'SYSTEM_ROLLBACK');
    assert.ok(rollback !== undefined, JSON.stringify(ops));
    assert.equal(rollback.by, 'system');
    assert.equal(rollback.snapshot, update.snapshot, "from the update's snapshot");
    await finish('starting', out);
  });
});
