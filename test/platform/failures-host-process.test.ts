/**
 * An application's process dies: SIGKILL of a running counter's host restarts it from its latest
 * checkpoint (its exactly-once output holds no count twice and none missing), and an application
 * whose process dies every time it runs ends FAILED with its error once its restart strategy's
 * budget is spent — no endless crash loop.
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

describe('an application process that dies', { timeout: 360_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-host-kill-test-'));
  let server: PlatformServer;

  before(async () => {
    packageJob(
      'test/platform/fixtures/counter-app.ts',
      join(scratch, 'counter.eddy'),
      COUNTER_PROPS,
    );
    packageJob('test/platform/fixtures/crash-loop-app.ts', join(scratch, 'crash.eddy'));
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const operations = async (name: string): Promise<Json[]> =>
    (await server.call('GET', `/v1/applications/${name}/operations`)).json;

  it('restarts from its latest checkpoint after SIGKILL, exactly once', async () => {
    const out = join(scratch, 'out');
    const artifact = await server.upload(join(scratch, 'counter.eddy'));
    await server.create('counter', artifact, {
      properties: { counter: { out, rate: '200' } },
      checkpoints: { intervalMs: 300 },
      resources: { units: 0.25 },
      restartStrategy: { type: 'exponential-backoff', initialDelayMs: 100, attempts: 3 },
    });
    await server.startApp('counter');
    for (let kill = 1; kill <= 2; kill++) {
      const committed = countLines(out).length;
      await waitFor(() => countLines(out).length >= committed + 30, {
        timeoutMs: 60_000,
        message: 'the counter to commit 30 more counts',
      });
      const { job } = await server.describe('counter');
      process.kill(job.pid, 'SIGKILL');
      const back = await waitFor(
        async () => {
          const d = await server.describe('counter');
          return d.status === 'RUNNING' && d.job.pid !== job.pid ? d : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, message: 'the counter to run again' },
      );
      assert.equal(back.job.restarts, kill);
      assert.equal(back.lastFailure.kind, 'CRASH');
      assert.match(back.lastFailure.reason, /SIGKILL/);
    }
    const recovers = (await operations('counter')).filter((o) => o.type === 'RECOVER');
    assert.equal(recovers.length, 2);
    assert.ok(recovers.every((o) => o.status === 'SUCCESSFUL' && o.by === 'system'));

    const committed = countLines(out).length;
    await waitFor(() => countLines(out).length >= committed + 30, {
      timeoutMs: 60_000,
      message: 'the restarted counter to count on',
    });
    const stop = await server.call('POST', '/v1/applications/counter/stop', {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    assertExactlyOnce(countLines(out));
  });

  it('ends a crash-looping application FAILED with its error', async () => {
    const artifact = await server.upload(join(scratch, 'crash.eddy'));
    await server.create('crashy', artifact, {
      resources: { units: 0.25 },
      restartStrategy: {
        type: 'exponential-backoff',
        initialDelayMs: 100,
        maxDelayMs: 200,
        attempts: 2,
      },
    });
    await server.startApp('crashy');
    const app = await server.waitForStatus('crashy', 'FAILED', 90_000);
    assert.equal(app.lastFailure.kind, 'CRASH');
    assert.match(app.lastFailure.reason, /crash-loop-app: the process dies as asked/);
    assert.match(app.lastFailure.reason, /restarted 2 times; the restart strategy allows 2/);
    assert.equal(app.job, undefined);
    // Started once, restarted twice, then left alone.
    const recovers = (await operations('crashy')).filter((o) => o.type === 'RECOVER');
    assert.equal(recovers.length, 2);
  });
});
