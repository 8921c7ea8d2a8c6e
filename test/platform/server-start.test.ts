/**
 * Start-up order: `eddy server` opens its port before it loads its HTTP API, so a client that
 * calls while it starts gets 503 with `Retry-After` and the API's error body (code UNAVAILABLE)
 * — never ECONNREFUSED once the port is open — and the API answers as soon as the server prints
 * its URL. A real server process, polled over real HTTP.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/platform-server.ts';

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

type Seen =
  | { readonly kind: 'refused' }
  | { readonly kind: 'answer'; status: number; retryAfter: string | null; body: string };

describe('server start-up', { timeout: 240_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-server-start-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('answers 503 with Retry-After while it starts, then serves once it prints its URL', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['bin/eddy.js', 'server', '--data-dir', join(scratch, 'data'), '--port', String(port)],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, EDDY_TOKEN: 'start_test_token' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const seen: Seen[] = [];
    try {
      const deadline = Date.now() + 180_000;
      while (!/listening on http/.test(out)) {
        assert.ok(Date.now() < deadline, `no "listening" line:\n${out}`);
        assert.equal(child.exitCode, null, `the server exited:\n${out}`);
        try {
          const r = await fetch(`http://127.0.0.1:${port}/v1/health`);
          seen.push({
            kind: 'answer',
            status: r.status,
            retryAfter: r.headers.get('retry-after'),
            body: await r.text(),
          });
        } catch {
          seen.push({ kind: 'refused' });
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = seen.findIndex((s) => s.kind === 'answer');
      assert.ok(first >= 0, 'the port answered nothing before the server printed its URL');
      // Once open, the port never refuses a connection again.
      assert.deepEqual(
        seen.slice(first).filter((s) => s.kind === 'refused'),
        [],
        'connection refused after the port had answered',
      );
      const starting = seen.find(
        (s): s is Extract<Seen, { kind: 'answer' }> => s.kind === 'answer' && s.status === 503,
      );
      assert.ok(starting !== undefined, `no 503 while starting: ${JSON.stringify(seen.at(-1))}`);
      assert.equal(starting.retryAfter, '1');
      const body = JSON.parse(starting.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'UNAVAILABLE');
      assert.match(body.error.message, /starting/);
      // Printed means ready: the API answers at once.
      const health = await fetch(`http://127.0.0.1:${port}/v1/health`);
      assert.equal(health.status, 200);
      const apps = await fetch(`http://127.0.0.1:${port}/v1/applications`, {
        headers: { authorization: 'Bearer start_test_token' },
      });
      assert.equal(apps.status, 200);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
