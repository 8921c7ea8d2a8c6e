/**
 * Issue #20, platform artifacts on object storage: `eddy server --artifact-store s3://…` keeps
 * uploaded artifacts in a real S3-compatible server (S3Proxy), where every machine reaches them.
 * An application runs from there, also after a server restart that lost its local copies; a
 * deleted artifact's object is gone; a location the server cannot use is refused at start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  REPO_ROOT,
  packageJob,
  startPlatformServer,
  type PlatformServer,
} from '../support/platform-server.ts';
import { ensureS3, uniquePrefix, type S3Server } from '../support/s3-server.ts';

const s3 = await ensureS3();

describe(
  'eddy server --artifact-store s3://…',
  { skip: 'skip' in s3 ? s3.skip : false, timeout: 300_000 },
  () => {
    const { bucket, endpoint, env } = s3 as S3Server;
    const prefix = uniquePrefix('artifacts');
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-artifact-s3-'));
    const dataDir = join(scratch, 'data');
    const flags = ['--artifact-store', `s3://${bucket}/${prefix}`, '--s3-endpoint', endpoint];
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
    let server: PlatformServer;

    const objects = async (): Promise<string[]> => {
      const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      // S3Proxy's filesystem backend lists its directories as `…/` keys: not objects.
      return (r.Contents ?? [])
        .map((o) => o.Key ?? '')
        .filter((k) => !k.endsWith('/'))
        .map((k) => k.slice(prefix.length + 1))
        .sort();
    };

    before(async () => {
      packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'counter.eddy'), [
        `counter.out=${join(scratch, 'out')}`,
      ]);
      server = await startPlatformServer({ dataDir, flags, env });
    });

    after(async () => {
      await server?.stop();
      client.destroy();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('stores the upload on object storage and runs an application from it, also after a restart without local copies', async () => {
      const artifactId = await server.upload(join(scratch, 'counter.eddy'));
      assert.deepEqual(await objects(), [`${artifactId}.eddy`]);

      await server.create('counter', artifactId, {
        properties: { counter: { out: join(scratch, 'out'), rate: '50' } },
        checkpoints: { intervalMs: 500 },
        resources: { units: 0.25 },
      });
      await server.startApp('counter');
      assert.equal((await server.describe('counter')).status, 'RUNNING');
      const stopped = await server.call('POST', '/v1/applications/counter/stop', {
        snapshot: false,
      });
      assert.equal((await server.operationEnds(stopped.json.operationId)).status, 'SUCCESSFUL');

      // A new machine: same metadata, nothing of the artifacts on its disk.
      await server.stop();
      rmSync(join(dataDir, 'artifacts'), { recursive: true, force: true });
      server = await startPlatformServer({ dataDir, flags, env });
      await server.startApp('counter');
      assert.equal((await server.describe('counter')).status, 'RUNNING');

      const stop = await server.call('POST', '/v1/applications/counter/stop', { force: true });
      await server.operationEnds(stop.json.operationId);
      const deleted = await server.call('DELETE', '/v1/applications/counter');
      if (deleted.json?.operationId !== undefined) {
        await server.operationEnds(deleted.json.operationId);
      }
      const gone = await server.call('DELETE', `/v1/artifacts/${artifactId}`);
      assert.ok(gone.status < 300, `DELETE artifact: ${gone.status} ${gone.text}`);
      assert.deepEqual(await objects(), []);
    });

    it('refuses a location it cannot use, before listening, with a hint', () => {
      const r = spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, 'bin/eddy.js'),
          'server',
          '--data-dir',
          join(scratch, 'other'),
          '--port',
          '0',
          '--artifact-store',
          'ftp://host/artifacts',
        ],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } },
      );
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /ftp:\/\/host\/artifacts/);
      assert.doesNotMatch(r.stdout, /listening/);
    });
  },
);
