/**
 * An update that carries keyed state: a keyed counter with an exactly-once FileSink runs as an
 * application; PATCH moves it to a new artifact and a new configuration (snapshot → stop → start
 * from the snapshot); its counts continue where version 1 stopped, nothing is committed twice and
 * nothing is lost.
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
import {
  COUNTER_PROPS,
  assertExactlyOnce,
  assertVersionsInOrder,
  countLines,
} from './counter-app-output.ts';

describe('an update that carries keyed state', { timeout: 360_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-update-test-'));
  const out = join(scratch, 'out');
  let server: PlatformServer;

  before(async () => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/counter-app-v2.ts', join(scratch, 'v2.eddy'), COUNTER_PROPS);
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('continues the counts in the new version, exactly once', async () => {
    const v1 = await server.upload(join(scratch, 'v1.eddy'));
    const v2 = await server.upload(join(scratch, 'v2.eddy'));
    const config = {
      properties: { counter: { out, rate: '200' } },
      checkpoints: { intervalMs: 300 },
      resources: { units: 0.25 },
    };
    await server.create('counter', v1, config);
    await server.startApp('counter');
    await waitFor(() => countLines(out).length >= 60, {
      timeoutMs: 60_000,
      message: 'version 1 to commit 60 counts',
    });

    const patch = await server.call('PATCH', '/v1/applications/counter', {
      artifactId: v2,
      config: { ...config, properties: { counter: { out, rate: '300' } } },
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const update = await server.operationEnds(patch.json.operationId);
    assert.equal(update.status, 'SUCCESSFUL', JSON.stringify(update));
    const described = await server.describe('counter');
    assert.equal(described.status, 'RUNNING');
    assert.equal(described.version, 2);
    assert.equal(described.artifactId, v2);
    assert.equal(described.config.properties.counter.rate, '300');
    assert.equal(described.job.restoredFrom, update.snapshot, 'started from the update snapshot');
    // The operation says where its time went, stage by stage, in order.
    assert.deepEqual(
      update.stages.map((st: { name: string }) => st.name),
      [
        'savepoint',
        'process-exit',
        'snapshot-record',
        'discard-checkpoints',
        'artifact',
        'process-start',
        'job-start',
        'running',
      ],
    );
    for (const st of update.stages) assert.ok(Number.isInteger(st.ms) && st.ms >= 0, st.name);

    await waitFor(() => countLines(out).filter((l) => l.v === '2').length >= 60, {
      timeoutMs: 60_000,
      message: 'version 2 to commit 60 counts',
    });
    const stop = await server.call('POST', '/v1/applications/counter/stop', {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');

    const lines = countLines(out);
    const byKey = assertExactlyOnce(lines);
    assertVersionsInOrder(byKey, '1', '2');
    // Version 2 counted on from version 1's state: its first count of a key is not 1.
    const carried = [...byKey.values()].filter(
      (l) => l.some((x) => x.v === '1') && l.some((x) => x.v === '2'),
    );
    assert.ok(carried.length >= 10, `keys counted by both versions: ${carried.length}`);
    for (const list of carried) assert.ok(list.find((l) => l.v === '2')!.n > 1);
  });
});
