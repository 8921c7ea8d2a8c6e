/**
 * docs/guides/platform.md, run as written: every `sh` command in order against the server the
 * guide starts (in the background here, as in its own terminal), each must succeed, and the
 * applications end as the guide says. Two substitutions: a free port for 8081 and a scratch data
 * directory for `.eddy/guide`. The guide's settings table names every setting of the
 * configuration schema with the server's default.
 *
 * Run: node scripts/run-tests.mjs guide-platform
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApplicationConfigSchema } from '../../src/protocol/application.ts';
import { APPLICATION_DEFAULTS } from '../../src/server/lifecycle/application-settings.ts';
import { root, waitFor, type Json } from '../support/platform-cli.ts';

const guide = readFileSync(join(root, 'docs/guides/platform.md'), 'utf8');

/** The guide's shell commands, in order. */
function commands(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of m[1]!.split('\n')) {
      if (line.trim() !== '' && !line.trim().startsWith('#')) out.push(line.trim());
    }
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs `line` in a shell; resolves with its exit code and output. */
function sh(line: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('docs/guides/platform.md', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-platform-guide-'));
  let server: ChildProcess | undefined;
  after(async () => {
    if (server !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs as written', async () => {
    const all = commands(guide);
    assert.ok(all.length >= 15, 'the guide has its commands');
    const port = String(await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    delete env['NODE_TEST_CONTEXT'];
    let serverOutput = '';
    for (const written of all) {
      const line = written
        .replaceAll('8081', port)
        .replaceAll('.eddy/guide', join(scratch, 'data'));
      const exported = /^export ((?:\w+=\S+ ?)+)$/.exec(line);
      if (exported !== null) {
        for (const pair of exported[1]!.trim().split(/\s+/)) {
          const eq = pair.indexOf('=');
          env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        continue;
      }
      if (/^node bin\/eddy\.js server (?!token)/.test(line)) {
        server = spawn('sh', ['-c', `exec ${line}`], {
          cwd: root,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        server.stdout!.on('data', (c: Buffer) => (serverOutput += c.toString()));
        server.stderr!.on('data', (c: Buffer) => (serverOutput += c.toString()));
        await waitFor('the guide server to listen', () => {
          if (server!.exitCode !== null) throw new Error(serverOutput);
          return /listening on http/.test(serverOutput) ? true : undefined;
        });
        continue;
      }
      const r = await sh(line, env);
      assert.equal(r.code, 0, `${written}\n${r.out}\nserver:\n${serverOutput}`);
    }
    // Where the guide leaves things: bots running version 1 again (rolled back from 2),
    // restarted from the stop's snapshot; every operation recorded; the viewer token made.
    const cli = async (...args: string[]): Promise<Json> => {
      const r = await sh(`node bin/eddy.js ${args.join(' ')} --json`, env);
      assert.equal(r.code, 0, r.out);
      return JSON.parse(r.out);
    };
    const bots = await cli('apps', 'show', 'bots');
    assert.equal(bots.status, 'RUNNING');
    assert.equal(bots.version, 1);
    assert.equal(bots.config.resources.units, 0.5);
    const ops = (await cli('operations', 'list', 'bots')).map((o: Json) => `${o.type} ${o.status}`);
    assert.deepEqual(ops.reverse(), [
      'CREATE SUCCESSFUL',
      'START SUCCESSFUL',
      'SNAPSHOT SUCCESSFUL',
      'UPDATE SUCCESSFUL',
      'ROLLBACK SUCCESSFUL',
      'STOP SUCCESSFUL',
      'START SUCCESSFUL',
    ]);
    assert.equal((await cli('apps', 'versions', 'bots')).length, 2);
    const tokens = await cli('server', 'token', 'list', '--data-dir', join(scratch, 'data'));
    assert.ok(tokens.some((t: Json) => t.name === 'dashboard' && t.role === 'viewer'));
  });

  it('lists every setting of the configuration with its default', () => {
    const rows = new Map<string, string>();
    for (const m of guide.matchAll(/^\| `([\w.]+)` +\| ([^|]+?) +\|/gm))
      rows.set(m[1]!, m[2]!.trim());
    // Every setting of the schema, nested ones as parent.child.
    const settings: string[] = [];
    const walk = (schema: Json, prefix: string) => {
      for (const [key, sub] of Object.entries<Json>(schema.properties ?? {})) {
        const path = `${prefix}${key}`;
        const objectLike =
          sub.type === 'object' &&
          sub.properties !== undefined &&
          !['restartStrategy'].includes(key);
        if (objectLike) walk(sub, `${path}.`);
        else settings.push(path);
      }
    };
    walk(ApplicationConfigSchema, '');
    for (const s of settings) assert.ok(rows.has(s), `the guide's settings table has ${s}`);
    // The defaults the server applies are the ones the guide states.
    const d = APPLICATION_DEFAULTS;
    const expected: Record<string, unknown> = {
      parallelism: d.parallelism,
      parallelismPerUnit: d.parallelismPerUnit,
      maxParallelism: d.maxParallelism,
      'resources.heapShare': d.heapShare,
      'stateBackend.type': d.stateBackend.type,
      'stateBackend.incrementalCheckpoints': d.stateBackend.incrementalCheckpoints,
      batchSize: d.batchSize,
      autoWatermarkIntervalMs: d.autoWatermarkIntervalMs,
      failOnMalformedInput: d.failOnMalformedInput,
    };
    for (const [k, v] of Object.entries(d.checkpoints)) expected[`checkpoints.${k}`] = v;
    for (const [k, v] of Object.entries(d.systemRollback)) expected[`systemRollback.${k}`] = v;
    for (const [path, value] of Object.entries(expected)) {
      assert.equal(rows.get(path)?.replaceAll('`', ''), String(value), `default of ${path}`);
    }
    const restart = rows.get('restartStrategy') ?? '';
    for (const [k, v] of Object.entries(d.restartStrategy)) {
      assert.match(restart, new RegExp(`${k}: '?${String(v)}'?`), `restartStrategy.${k}`);
    }
  });
});
