/**
 * Resources: an application's memory comes from its resource units (here 1 unit = 1 core +
 * 1024 MiB, `--unit-memory-mb`), enforced by a V8 heap limit and an RSS watchdog — a memory hog
 * is stopped and reported FAILED with a reason naming memory and the limit, while another
 * application keeps running; a start or an update that would hold more units than the server
 * offers (`--capacity-units`) is refused with 409 OVERCOMMITTED saying what is free; describe
 * shows what an application used (CPU seconds, peak RSS, records per second).
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
  type PlatformServer,
} from '../support/platform-server.ts';
import { COUNTER_PROPS, countLines } from './counter-app-output.ts';

describe('resources', { timeout: 360_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-resources-test-'));
  let server: PlatformServer;
  let artifact = '';

  before(async () => {
    packageJob(
      'test/platform/fixtures/counter-app.ts',
      join(scratch, 'counter.eddy'),
      COUNTER_PROPS,
    );
    server = await startPlatformServer({
      dataDir: join(scratch, 'data'),
      flags: ['--capacity-units', '2', '--unit-memory-mb', '1024'],
    });
    artifact = await server.upload(join(scratch, 'counter.eddy'));
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const counter = (
    name: string,
    units: number,
    extra: Record<string, string> = {},
    heapShare?: number,
  ) =>
    server.create(name, artifact, {
      properties: { counter: { out: join(scratch, `out-${name}`), rate: '50', ...extra } },
      checkpoints: { intervalMs: 1000 },
      resources: { units, ...(heapShare !== undefined && { heapShare }) },
      restartStrategy: { type: 'none' },
    });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('stops a memory hog (RSS watchdog, V8 heap limit) while another application runs on', async () => {
    await counter('steady', 0.5);
    await server.startApp('steady');
    const steady = await server.describe('steady');
    assert.deepEqual(steady.resources, { units: 0.5, parallelism: 1, memoryMb: 512, heapMb: 384 });

    await counter('rss-hog', 0.25, { hog: 'rss' });
    await counter('heap-hog', 0.25, { hog: 'heap' }, 0.35);
    await server.startApp('rss-hog');
    await server.startApp('heap-hog');
    const rssPid = (await server.describe('rss-hog')).job?.pid;

    const rss = await server.waitForStatus('rss-hog', 'FAILED', 90_000);
    assert.equal(rss.lastFailure.kind, 'OUT_OF_MEMORY');
    assert.match(
      rss.lastFailure.reason,
      /out of memory: resident memory \d+ MiB passed the limit of 256 MiB/,
    );
    if (rssPid !== undefined) assert.equal(alive(rssPid), false, 'the hog process is gone');
    const heap = await server.waitForStatus('heap-hog', 'FAILED', 90_000);
    assert.equal(heap.lastFailure.kind, 'OUT_OF_MEMORY');
    assert.match(
      heap.lastFailure.reason,
      /out of memory: the JavaScript heap passed its limit of 90 MiB/,
    );

    const after = await server.describe('steady');
    assert.equal(after.status, 'RUNNING');
    assert.equal(after.job.pid, steady.job.pid, 'the other application was not touched');
    const committed = countLines(join(scratch, 'out-steady')).length;
    await waitFor(() => countLines(join(scratch, 'out-steady')).length > committed, {
      timeoutMs: 30_000,
      message: 'steady to commit more',
    });
  });

  it('shows usage: CPU seconds, peak RSS, records per second', async () => {
    const d = await waitFor(
      async () => {
        const d = await server.describe('steady');
        return d.usage.recordsPerSecond > 0 && d.usage.cpuSeconds > 0 ? d : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'usage figures' },
    );
    assert.ok(d.usage.peakRssBytes >= d.usage.rssBytes && d.usage.rssBytes > 10 * 1048576);
    assert.ok(d.usage.recordsPerSecond < 500, `rate 50/s, reported ${d.usage.recordsPerSecond}`);
  });

  it('refuses a start or an update that would overcommit, saying what is free', async () => {
    await counter('big', 2);
    const start = await server.call('POST', '/v1/applications/big/start', {});
    assert.equal(start.status, 409, JSON.stringify(start.json));
    assert.equal(start.json.error.code, 'OVERCOMMITTED');
    assert.match(start.json.error.message, /needs 2 resource units/);
    assert.match(start.json.error.message, /1\.5 of 2 units are free \(1\.5 cores, 1536 MiB\)/);
    assert.match(start.json.error.message, /in use: steady 0\.5/);
    assert.equal((await server.describe('big')).status, 'READY');

    const update = await server.call('PATCH', '/v1/applications/steady', {
      config: { resources: { units: 3 } },
    });
    assert.equal(update.status, 409, JSON.stringify(update.json));
    assert.equal(update.json.error.code, 'OVERCOMMITTED');
    assert.match(
      update.json.error.message,
      /updating steady needs 3 resource units.*2 of 2 units are free/,
    );
    const steady = await server.describe('steady');
    assert.equal(steady.version, 1, 'a refused update records no version');
    assert.equal(steady.status, 'RUNNING');
  });
});
