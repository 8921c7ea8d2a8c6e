/**
 * examples/checkpoints-on-s3.ts, run as its header says against a real S3-compatible server
 * (S3Proxy): killed with SIGKILL once it has checkpointed to `s3://…`, started again with the
 * same location, it restores from there and finishes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from '../support/platform-server.ts';
import { ensureS3, uniquePrefix, type S3Server } from '../support/s3-server.ts';
import { waitFor } from '../support/wait-for.ts';

const s3 = await ensureS3();

test(
  'examples/checkpoints-on-s3.ts resumes from its s3:// checkpoint after a SIGKILL',
  { skip: 'skip' in s3 ? s3.skip : false, timeout: 300_000 },
  async () => {
    const { bucket, endpoint, env } = s3 as S3Server;
    const prefix = uniquePrefix('example');
    const run = () => {
      const child = spawn(
        process.execPath,
        [
          'bin/eddy.js',
          'run',
          'examples/checkpoints-on-s3.ts',
          '-q',
          ...['--prop', `checkpoints.dir=s3://${bucket}/${prefix}`, '--s3-endpoint', endpoint],
          ...['--prop', 'source.events=6000', '--prop', 'source.rate=1000'],
        ],
        { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      return { child, exit, output: () => output };
    };
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
    const completed = async () => {
      const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (r.Contents ?? []).some((o) => o.Key?.endsWith('/_metadata'));
    };
    try {
      const first = run();
      await waitFor(completed, { timeoutMs: 120_000, message: 'a completed checkpoint on S3' });
      first.child.kill('SIGKILL');
      await first.exit;

      const second = run();
      assert.equal(await second.exit, 0, second.output());
      assert.match(second.output(), new RegExp(`restoring from s3://${bucket}/${prefix}/`));
      assert.match(second.output(), /bot detected> /);
    } finally {
      client.destroy();
    }
  },
);
