/**
 * The README's quick start: exactly two commands, `npm start` and `npm test`; `npm start` is the
 * platform demo. Run as a terminal would (its own process group, Ctrl-C sent to the group): it
 * starts the server, deploys bot tagging (RUNNING) and sessionization (a bounded job: READY once
 * it ran), prints the URL, a token and three commands that work as printed; Ctrl-C stops it and
 * the server cleanly (exit 0); a second `npm start` reuses the token and resumes bot tagging.
 *
 * Run: node scripts/run-tests.mjs guide-quick-start
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eddy, root, waitFor, type Json } from '../support/platform-cli.ts';

describe('README quick start', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-quick-start-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is two commands, npm start and npm test', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5),
    );
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = block
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replace(/\s+#.*$/, '').trim());
    assert.deepEqual(lines, ['npm install && npm start', 'npm test']);
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    assert.equal(scripts.start, 'node scripts/platform-demo.mjs');
    assert.equal(scripts.test, 'node scripts/run-tests.mjs');
  });

  /** `npm start` in its own process group; resolves with its output once the demo is ready. */
  const start = async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EDDY_DEMO_DATA_DIR: join(scratch, 'demo'),
      EDDY_DEMO_PORT: '0',
    };
    for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_')) delete env[k];
    delete env['NODE_OPTIONS'];
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn('npm', ['start'], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    // npm itself may end by the SIGINT the terminal sends it; the demo then has exited 0.
    const exit = new Promise<number | null>((r) =>
      child.once('exit', (code, signal) => r(signal === 'SIGINT' ? 0 : code)),
    );
    await waitFor(
      'the demo to be ready',
      () => {
        if (child.exitCode !== null) throw new Error(out);
        return /Ctrl-C stops the server/.test(out) ? true : undefined;
      },
      300_000,
    );
    const ctrlC = async () => {
      process.kill(-child.pid!, 'SIGINT');
      return exit;
    };
    return { out: () => out, ctrlC };
  };

  it('npm start runs the platform demo; its commands work; Ctrl-C stops it; it resumes', async () => {
    const first = await start();
    const text = first.out();
    const exported = /export EDDY_SERVER=(\S+) EDDY_TOKEN=(\S+)/.exec(text);
    assert.ok(exported, text);
    const [, url, token] = exported;
    assert.match(text, new RegExp(`server +${url!.replaceAll('.', '\\.')}`));
    assert.match(text, new RegExp(`token +${token}`));
    const tried = [...text.matchAll(/^ {2}node bin\/eddy\.js (apps \S+.*)$/gm)].map((m) => m[1]!);
    assert.equal(tried.length, 3, text);
    const env = { EDDY_SERVER: url!, EDDY_TOKEN: token! };
    // The sessionization example is bounded: it runs to its end (READY again), bots runs on.
    let status: Record<string, string> = {};
    await waitFor(
      'sessions to finish and bots to run',
      async () => {
        const list = await eddy(['apps', 'list', '--json'], env);
        assert.equal(list.code, 0, list.stderr);
        status = Object.fromEntries(JSON.parse(list.stdout).map((a: Json) => [a.name, a.status]));
        return status['sessions'] === 'READY' ? true : undefined;
      },
      120_000,
    ).catch(() => undefined);
    assert.deepEqual(status, { bots: 'RUNNING', sessions: 'READY' });
    // The printed commands work as printed (the follow one until it printed a line).
    const update = await eddy(tried[2]!.split(' '), env);
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stderr, /UPDATE of bots SUCCESSFUL/);
    const sessionLog = await eddy(['apps', 'logs', 'sessions'], env);
    assert.match(sessionLog.stdout, /^session> \{"user":"ana"/m);

    assert.equal(await first.ctrlC(), 0, first.out());
    assert.match(first.out(), /stopping the eddy server/);
    assert.doesNotMatch(first.out(), /internal error|TypeError|Error:/, first.out());
    await assert.rejects(fetch(`${url}/v1/health`), 'the server is gone');

    const second = await start();
    assert.ok(second.out().includes(`EDDY_TOKEN=${token}`), 'the token is kept');
    assert.match(second.out(), /bots is deployed already \(\w+, version 2\)/);
    assert.match(second.out(), /sessions is deployed already \(READY, version 1\)/);
    const url2 = /export EDDY_SERVER=(\S+)/.exec(second.out())![1]!;
    // The server resumes bots from its latest checkpoint, at the version it was updated to.
    const bots = await waitFor('bots to run again', async () => {
      const show = await eddy(['apps', 'show', 'bots', '--json'], {
        EDDY_SERVER: url2,
        EDDY_TOKEN: token!,
      });
      const app = JSON.parse(show.stdout);
      return app.status === 'RUNNING' ? app : undefined;
    });
    assert.equal(bots.version, 2, 'the update survived the restart');
    assert.equal(await second.ctrlC(), 0, second.out());
  });
});
