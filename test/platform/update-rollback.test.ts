/**
 * System rollback: an update whose new version cannot start, or starts and then fails
 * `systemRollback.maxFailures` times within `systemRollback.windowMs`, goes back by itself to the
 * version it ran before and that version's update snapshot, records a SYSTEM_ROLLBACK operation
 * by `system`, and its exactly-once output holds no count twice and none missing.
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

describe('system rollback of a failing update', { timeout: 480_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-rollback-test-'));
  let server: PlatformServer;
  let v1 = '';
  let v2 = '';
  let failing = '';

  before(async () => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/counter-app-v2.ts', join(scratch, 'v2.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/failing-app.ts', join(scratch, 'failing.eddy'), [
      'failing.at-start=false',
    ]);
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
    v1 = await server.upload(join(scratch, 'v1.eddy'));
    v2 = await server.upload(join(scratch, 'v2.eddy'));
    failing = await server.upload(join(scratch, 'failing.eddy'));
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const configOf = (out: string) => ({
    properties: { counter: { out, rate: '200' } },
    checkpoints: { intervalMs: 300 },
    resources: { units: 0.25 },
  });

  const startCounting = async (name: string, out: string) => {
    await server.create(name, v1, configOf(out));
    await server.startApp(name);
    await waitFor(() => countLines(out).length >= 30, {
      timeoutMs: 60_000,
      message: `${name} to commit 30 counts`,
    });
  };

  const operations = async (name: string): Promise<Json[]> =>
    (await server.call('GET', `/v1/applications/${name}/operations`)).json;

  const stopAndCheck = async (name: string, out: string) => {
    const stop = await server.call('POST', `/v1/applications/${name}/stop`, {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    assertExactlyOnce(countLines(out));
  };

  it('rolls back a new artifact that throws at start', async () => {
    const out = join(scratch, 'out-a');
    await startCounting('starts', out);
    const patch = await server.call('PATCH', '/v1/applications/starts', { artifactId: failing });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const update = await server.operationEnds(patch.json.operationId);
    assert.equal(update.status, 'FAILED', JSON.stringify(update));
    assert.match(update.failureReason, /cannot start/);

    const app = await server.waitForStatus('starts', ['RUNNING', 'FAILED']);
    assert.equal(app.status, 'RUNNING', JSON.stringify(app));
    assert.equal(app.version, 1, 'back on the version it ran before');
    assert.equal(app.artifactId, v1);
    assert.equal(app.job.restoredFrom, update.snapshot, 'from the update snapshot');
    assert.equal(app.lastFailure.kind, 'START_FAILED');
    assert.match(app.lastFailure.reason, /cannot start/);
    const rollback = (await operations('starts')).find((o) => o.type === 'SYSTEM_ROLLBACK');
    assert.ok(rollback, 'a SYSTEM_ROLLBACK operation is recorded');
    assert.equal(rollback.status, 'SUCCESSFUL');
    assert.equal(rollback.by, 'system');
    assert.equal(rollback.version, 1);

    const before = countLines(out).length;
    await waitFor(() => countLines(out).length >= before + 30, {
      timeoutMs: 60_000,
      message: 'the rolled-back version to count on',
    });
    await stopAndCheck('starts', out);
  });

  it('rolls back a new version that fails maxFailures times within windowMs', async () => {
    const out = join(scratch, 'out-b');
    await startCounting('flaky', out);
    // Version 2 fails after 20 records in every run of its job, long before its first checkpoint
    // (so it commits nothing the rollback would replay); the engine restarts it in-process.
    const patch = await server.call('PATCH', '/v1/applications/flaky', {
      artifactId: v2,
      config: {
        ...configOf(out),
        properties: { counter: { out, rate: '100', 'fail-after': '20' } },
        checkpoints: { intervalMs: 30_000 },
        restartStrategy: { type: 'exponential-backoff', initialDelayMs: 100, maxDelayMs: 200 },
        systemRollback: { maxFailures: 2, windowMs: 120_000 },
      },
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const update = await server.operationEnds(patch.json.operationId);
    assert.equal(update.status, 'SUCCESSFUL', 'version 2 reached RUNNING');

    const rollback = await waitFor(
      async () => (await operations('flaky')).find((o) => o.type === 'SYSTEM_ROLLBACK'),
      { timeoutMs: 90_000, intervalMs: 200, message: 'a system rollback' },
    );
    assert.equal((await server.operationEnds(rollback.id)).status, 'SUCCESSFUL');
    const app = await server.waitForStatus('flaky', 'RUNNING');
    assert.equal(app.version, 1);
    assert.equal(app.job.restoredFrom, update.snapshot);
    assert.match(app.lastFailure.reason, /failing after 20 records/);

    const before = countLines(out).length;
    await waitFor(() => countLines(out).length >= before + 30, {
      timeoutMs: 60_000,
      message: 'the rolled-back version to count on',
    });
    await stopAndCheck('flaky', out);
    assert.ok(
      countLines(out).every((l) => l.v === '1'),
      'version 2 committed nothing',
    );
  });
});
