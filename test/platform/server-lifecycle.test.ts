/**
 * `eddy server` end to end: a real server process on a free port with a temp data directory,
 * driven over HTTP, running the bot-tagging example (packaged by `eddy package`) in a real
 * application process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  packageJob,
  startPlatformServer,
  type PlatformServer,
} from '../support/platform-server.ts';

describe('eddy server', { timeout: 240_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-server-test-'));
  let server: PlatformServer;
  const call: PlatformServer['call'] = (...args) => server.call(...args);
  const operationEnds = (id: string) => server.operationEnds(id);
  const status = async (name: string) => (await server.describe(name)).status;

  before(async () => {
    packageJob('examples/bot-tagging.ts', join(scratch, 'bots.eddy'));
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
  });

  after(async () => {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('uploads, creates, starts, snapshots, stops, restarts from the snapshot, updates and deletes', async () => {
    const artifactId = await server.upload(join(scratch, 'bots.eddy'));
    const artifact = await call('GET', `/v1/artifacts/${artifactId}`);
    assert.match(artifact.json.sha256, /^[0-9a-f]{64}$/);

    const config = {
      properties: { source: { events: '0', rate: '200' } },
      checkpoints: { intervalMs: 500 },
      resources: { units: 0.25 },
    };
    const created = await call('POST', '/v1/applications', { name: 'bots', artifactId, config });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.status, 'READY');

    const start = await call('POST', '/v1/applications/bots/start', {
      restore: { mode: 'SKIP_RESTORE' },
    });
    assert.equal(start.status, 202, JSON.stringify(start.json));
    const started = await operationEnds(start.json.operationId);
    assert.equal(started.status, 'SUCCESSFUL', JSON.stringify(started));
    assert.equal(await status('bots'), 'RUNNING');

    // Starting a running application is a conflict naming its state.
    const again = await call('POST', '/v1/applications/bots/start', {});
    assert.equal(again.status, 409);
    assert.match(again.json.error.message, /RUNNING/);

    const snap = await call('POST', '/v1/applications/bots/snapshots', {});
    assert.equal(snap.status, 202, JSON.stringify(snap.json));
    const snapOp = await operationEnds(snap.json.operationId);
    assert.equal(snapOp.status, 'SUCCESSFUL', JSON.stringify(snapOp));
    assert.equal(await status('bots'), 'RUNNING', 'a snapshot does not stop the application');
    const snapshot = (await call('GET', `/v1/applications/bots/snapshots/${snapOp.snapshot}`)).json;
    assert.equal(snapshot.status, 'READY');

    const stop = await call('POST', '/v1/applications/bots/stop', {});
    const stopped = await operationEnds(stop.json.operationId);
    assert.equal(stopped.status, 'SUCCESSFUL', JSON.stringify(stopped));
    assert.equal(await status('bots'), 'READY');
    const stopSnapshot: string = stopped.snapshot;
    assert.ok(stopSnapshot);

    const restart = await call('POST', '/v1/applications/bots/start', {});
    const restarted = await operationEnds(restart.json.operationId);
    assert.equal(restarted.status, 'SUCCESSFUL', JSON.stringify(restarted));
    assert.equal(restarted.snapshot, stopSnapshot, 'the default restore is the latest snapshot');
    assert.equal((await call('GET', '/v1/applications/bots')).json.job.restoredFrom, stopSnapshot);

    const update = await call('PATCH', '/v1/applications/bots', {
      config: { ...config, properties: { source: { events: '0', rate: '300' } } },
    });
    assert.equal(update.status, 202, JSON.stringify(update.json));
    const updated = await operationEnds(update.json.operationId);
    assert.equal(updated.status, 'SUCCESSFUL', JSON.stringify(updated));
    const described = (await call('GET', '/v1/applications/bots')).json;
    assert.equal(described.status, 'RUNNING');
    assert.equal(described.version, 2);
    assert.equal(
      described.job.restoredFrom,
      updated.snapshot,
      'the new version starts from the update snapshot',
    );
    assert.equal((await call('GET', '/v1/applications/bots/versions')).json.length, 2);

    const ops = (await call('GET', '/v1/applications/bots/operations')).json.map(
      (o: { type: string }) => o.type,
    );
    assert.deepEqual(ops.slice().reverse(), [
      'CREATE',
      'START',
      'SNAPSHOT',
      'STOP',
      'START',
      'UPDATE',
    ]);

    const inUse = await call('DELETE', `/v1/artifacts/${artifactId}`);
    assert.equal(inUse.status, 409);

    const forced = await call('POST', '/v1/applications/bots/stop', { force: true });
    assert.equal((await operationEnds(forced.json.operationId)).status, 'SUCCESSFUL');
    const del = await call('DELETE', '/v1/applications/bots');
    assert.equal(del.status, 202);
    assert.equal((await operationEnds(del.json.operationId)).status, 'SUCCESSFUL');
    assert.equal((await call('GET', '/v1/applications/bots')).status, 404);
  });

  it('answers errors with an ErrorBody: 404, 400 naming the field, 401, 403', async () => {
    const missing = await call('GET', '/v1/applications/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'NOT_FOUND');
    assert.match(missing.json.error.message, /no application nope/);

    const unknownField = await call('POST', '/v1/applications', {
      name: 'x',
      artifactId: 'a',
      colour: 1,
    });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.json.error.field, 'body.colour');
    const badName = await call('POST', '/v1/applications', { name: '../etc', artifactId: 'a' });
    assert.equal(badName.status, 400);
    assert.equal(badName.json.error.field, 'body.name');
    const malformed = await call('POST', '/v1/applications', '{"name":');
    assert.equal(malformed.status, 400);

    const anonymous = await call('GET', '/v1/applications', undefined, null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.error.code, 'UNAUTHENTICATED');
    const wrong = await call('GET', '/v1/applications', undefined, 'eddy_wrong');
    assert.equal(wrong.status, 401);

    const openapi = await call('GET', '/v1/openapi.json', undefined, null);
    assert.equal(openapi.status, 200);
    assert.ok(openapi.json.paths['/v1/applications/{name}/start']);
  });
});
