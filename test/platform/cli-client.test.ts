/**
 * The CLI client (`eddy deploy|apps|artifacts|snapshots|operations`) against a real server: every
 * command with --json and in text, waiting for operations with progress on stderr or not
 * (--no-wait), errors printed with the server's message and hint, --help on each, and the
 * command table still loading nothing of the server for `eddy --help` or a client command.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eddy,
  eddyBin,
  packageExample,
  ClientTestServer,
  root,
  waitFor,
  type CliRun,
  type Json,
} from '../support/platform-cli.ts';

/** A port nothing listens on (one the system just handed out and took back). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const ok = (r: CliRun, what: string): CliRun => {
  assert.equal(r.code, 0, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};
const json = (r: CliRun): Json => JSON.parse(r.stdout);

describe('eddy client commands', { timeout: 600_000 }, () => {
  const server = new ClientTestServer();
  const cli = (...args: string[]) => server.eddy(args);

  before(() => server.start());
  after(() => server.stop());

  it('deploys a job file: packages, uploads, creates, starts and waits until RUNNING', async () => {
    const r = ok(
      await cli(
        'deploy',
        'examples/bot-tagging.ts',
        '--name',
        'bots',
        '--prop',
        'source.events=0',
        '--units',
        '0.25',
        '--json',
      ),
      'deploy',
    );
    const app = json(r);
    assert.equal(app.status, 'RUNNING');
    assert.equal(app.version, 1);
    assert.deepEqual(app.config, {
      properties: { source: { events: '0' } },
      resources: { units: 0.25 },
    });
    assert.match(r.stderr, /packaged examples\/bot-tagging\.ts/);
    assert.match(r.stderr, /uploaded bot-tagging as art-/);
    assert.match(r.stderr, /START of bots SUCCESSFUL in [\d.]+ s: RUNNING, version 1/);

    const list = json(ok(await cli('apps', 'list', '--json'), 'apps list'));
    assert.deepEqual(
      list.map((a: Json) => [a.name, a.status]),
      [['bots', 'RUNNING']],
    );
    const table = ok(await cli('apps', 'list'), 'apps list').stdout;
    assert.match(
      table,
      /^NAME +STATUS +VERSION +UNITS +PARALLELISM +UPDATED\nbots +RUNNING +1 +0\.25 +1 /,
    );
    const shown = ok(await cli('apps', 'show', 'bots'), 'apps show').stdout;
    assert.match(shown, /^status +RUNNING$/m);
    assert.match(shown, /^resources +0\.25 units, parallelism 1, 1024 MiB \(heap 768 MiB\)$/m);
  });

  it('snapshots a running application and lists, shows and deletes its snapshots', async () => {
    const op = json(ok(await cli('snapshots', 'create', 'bots', '--json'), 'snapshots create'));
    assert.equal(op.type, 'SNAPSHOT');
    assert.equal(op.status, 'SUCCESSFUL');
    const snaps = json(ok(await cli('snapshots', 'list', 'bots', '--json'), 'snapshots list'));
    assert.equal(snaps[0].id, op.snapshot);
    assert.equal(snaps[0].status, 'READY');
    const shown = ok(await cli('snapshots', 'show', 'bots', op.snapshot), 'snapshots show').stdout;
    assert.match(shown, /^status +READY$/m);
    assert.match(shown, /^taken by +a user$/m);
    ok(await cli('snapshots', 'delete', 'bots', op.snapshot), 'snapshots delete');
    const gone = await cli('snapshots', 'show', 'bots', op.snapshot);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /application bots has no snapshot snap-/);
    assert.match(gone.stderr, /hint: GET \/v1\/applications\/bots\/snapshots lists them/);
  });

  it('updates (keeping the rest of the config), lists versions and rolls back', async () => {
    const up = ok(await cli('apps', 'update', 'bots', '--prop', 'source.rate=300'), 'apps update');
    assert.match(up.stderr, /bots: UPDATING \(operation op-/);
    assert.match(up.stderr, /UPDATE of bots SUCCESSFUL in [\d.]+ s: RUNNING, version 2/);
    const versions = json(ok(await cli('apps', 'versions', 'bots', '--json'), 'versions'));
    assert.deepEqual(versions[0].config, {
      properties: { source: { events: '0', rate: '300' } },
      resources: { units: 0.25 },
    });
    assert.match(
      ok(await cli('apps', 'versions', 'bots'), 'versions').stdout,
      /^VERSION +ARTIFACT +CREATED +CONFIG\n2 +art-/,
    );
    const back = ok(await cli('apps', 'rollback', 'bots', '--json'), 'rollback');
    assert.equal(json(back).type, 'ROLLBACK');
    const app = json(ok(await cli('apps', 'show', 'bots', '--json'), 'show'));
    assert.equal(app.version, 1);
    assert.equal(app.status, 'RUNNING');
  });

  it("prints the server's message and hint on errors, with exit code 1", async () => {
    const again = await cli('apps', 'start', 'bots');
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /eddy: error: application bots is RUNNING: start is allowed only when it is READY or FAILED \(POST \/v1\/applications\/bots\/start: HTTP 409\)/,
    );
    assert.match(again.stderr, /\n {2}hint: /);
    const wrong = await server.eddy(['apps', 'list'], 'eddy_wrong');
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /the API token is unknown or revoked \(GET \/v1\/applications: HTTP 401\)\n {2}hint: /,
    );
    const none = await eddy(['apps', 'list'], { EDDY_SERVER: server.url, EDDY_TOKEN: '' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /hint: pass --token <token> or set EDDY_TOKEN/);
    const viewer = (await server.call('POST', '/v1/tokens', { name: 'v', role: 'viewer' })).json
      .token;
    const forbidden = await server.eddy(['apps', 'stop', 'bots'], viewer);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /token v has role viewer; this request needs deployer/);
    const port = await freePort();
    const down = await eddy(['apps', 'list', '--server', `http://127.0.0.1:${port}`], {});
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /cannot reach the eddy server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n {2}hint: start one with "eddy server"/,
    );
    const badField = await cli('apps', 'update', 'bots', '--config', '{"parallelism": "two"}');
    assert.equal(badField.code, 1);
    assert.match(badField.stderr, /body\.config\.parallelism must be integer/);
    const usage = await cli('apps', 'start');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /eddy apps start needs <name>/);
    const typo = await cli('apps', 'strat', 'bots');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean "eddy apps start"\?/);
  });

  it('prints logs (tail and follow)', async () => {
    const tail = ok(await cli('apps', 'logs', 'bots', '--tail', '2'), 'logs');
    assert.equal(tail.stdout.split('\n').length, 3, tail.stdout);
    const child = spawn(
      process.execPath,
      [eddyBin, 'apps', 'logs', 'bots', '--follow', '--tail', '1'],
      {
        env: { ...process.env, ...server.env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor('3 followed lines', () => (out.split('\n').length > 3 ? true : undefined));
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, 'Ctrl-C ends a follow cleanly');
    assert.match(out, /^(bot detected|progress)> /m);
  });

  it('stops with a snapshot, starts with --no-wait, and lists operations', async () => {
    const stop = json(ok(await cli('apps', 'stop', 'bots', '--json'), 'stop'));
    assert.match(stop.snapshot, /^snap-/);
    assert.equal(json(ok(await cli('apps', 'show', 'bots', '--json'), 'show')).status, 'READY');
    const accepted = json(
      ok(await cli('apps', 'start', 'bots', '--restore', 'skip', '--no-wait', '--json'), 'start'),
    );
    assert.match(accepted.operationId, /^op-/);
    assert.equal(accepted.status, 'STARTING');
    const op = await waitFor('the start to end', async () => {
      const o = json(
        ok(await cli('operations', 'show', accepted.operationId, '--json'), 'ops show'),
      );
      return o.status === 'IN_PROGRESS' ? undefined : o;
    });
    assert.equal(op.status, 'SUCCESSFUL');
    assert.equal(op.snapshot, undefined, '--restore skip starts from no snapshot');
    const ops = json(ok(await cli('operations', 'list', 'bots', '--json'), 'ops list'));
    assert.deepEqual(ops.map((o: Json) => o.type).reverse(), [
      'CREATE',
      'START',
      'SNAPSHOT',
      'DELETE_SNAPSHOT',
      'UPDATE',
      'ROLLBACK',
      'STOP',
      'START',
    ]);
    const text = ok(await cli('operations', 'show', accepted.operationId), 'ops show').stdout;
    assert.match(text, /^type +START$/m);
    assert.match(text, /^by +bootstrap-admin$/m);
  });

  it('uploads, lists, shows and deletes artifacts; deploys an artifact file', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-cli-'));
    try {
      const file = packageExample('sessionization', scratch);
      const uploaded = json(ok(await cli('artifacts', 'upload', file, '--json'), 'upload'));
      assert.equal(uploaded.manifest.name, 'sessionization');
      const listed = json(ok(await cli('artifacts', 'list', '--json'), 'artifacts list'));
      assert.ok(listed.some((a: Json) => a.id === uploaded.id));
      assert.match(
        ok(await cli('artifacts', 'show', uploaded.id), 'show').stdout,
        /^name +sessionization$/m,
      );
      const deployed = ok(
        await cli('deploy', file, '--name', 'sessions', '--units', '0.125'),
        'deploy artifact',
      );
      assert.match(deployed.stderr, /uploaded sessionization as /);
      assert.doesNotMatch(deployed.stderr, /packaged/);
      const inUse = await cli('artifacts', 'delete', uploaded.id);
      assert.equal(inUse.code, 1);
      assert.match(
        inUse.stderr,
        /is used by application sessions \(DELETE .*HTTP 409\)\n {2}hint: delete those applications first/,
      );
      // sessionization is bounded: it ran and ended; delete it, then its artifact.
      await waitFor('sessions to finish', async () =>
        json(ok(await cli('apps', 'show', 'sessions', '--json'), 'show')).status === 'READY'
          ? true
          : undefined,
      );
      ok(await cli('apps', 'delete', 'sessions'), 'delete app');
      ok(await cli('artifacts', 'delete', uploaded.id), 'delete artifact');
      const missing = await cli('artifacts', 'show', uploaded.id);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no artifact art-/);
      const notFile = await cli('artifacts', 'upload', join(scratch, 'none.eddy'));
      assert.equal(notFile.code, 2);
      assert.match(notFile.stderr, /cannot read .*none\.eddy \(ENOENT\)/);
      writeFileSync(join(scratch, 'junk.eddy'), 'junk');
      const junk = await cli('artifacts', 'upload', join(scratch, 'junk.eddy'));
      assert.equal(junk.code, 1);
      assert.match(junk.stderr, /HTTP 400/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('deploys a new version of a running application, and stops by force and deletes', async () => {
    const r = ok(
      await cli(
        'deploy',
        'examples/bot-tagging.ts',
        '--name',
        'bots',
        '--prop',
        'bots.threshold=30',
      ),
      'redeploy',
    );
    assert.match(r.stderr, /UPDATE of bots SUCCESSFUL .*: RUNNING, version 3/);
    const same = ok(
      await cli(
        'deploy',
        'examples/bot-tagging.ts',
        '--name',
        'bots',
        '--prop',
        'bots.threshold=30',
      ),
      'same',
    );
    assert.match(same.stderr, /already has this artifact and configuration \(version 3\)/);
    ok(await cli('apps', 'stop', 'bots', '--force'), 'force stop');
    ok(await cli('apps', 'delete', 'bots'), 'delete');
    const gone = await cli('apps', 'show', 'bots');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no application bots/);
  });

  it('has --help on every command and loads no server code for help or client commands', async () => {
    const groups: Record<string, string[]> = {
      apps: [
        'create',
        'list',
        'show',
        'start',
        'stop',
        'update',
        'rollback',
        'delete',
        'logs',
        'versions',
      ],
      artifacts: ['upload', 'list', 'show', 'delete'],
      snapshots: ['create', 'list', 'show', 'delete'],
      operations: ['list', 'show'],
    };
    for (const [group, subs] of Object.entries(groups)) {
      const h = ok(await eddy([group, '--help']), `${group} --help`);
      for (const s of subs)
        assert.match(h.stdout, new RegExp(`\\n {2}${s} +\\S`), `${group} lists ${s}`);
      for (const s of subs) {
        const sh = ok(await eddy([group, s, '--help']), `${group} ${s} --help`);
        assert.match(sh.stdout, new RegExp(`^Usage: eddy ${group} ${s}`));
        assert.match(sh.stdout, /--server <url>/);
        assert.match(sh.stdout, /--json/);
      }
    }
    const deploy = ok(await eddy(['deploy', '--help']), 'deploy --help');
    assert.match(deploy.stdout, /--name <name>/);
    assert.match(deploy.stdout, /--no-wait/);
    const token = ok(await eddy(['server', 'token', '--help']), 'server token --help');
    assert.match(token.stdout, /eddy server token create/);

    // What `eddy --help` and a client command load: a preload lists CommonJS modules at exit.
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-loaded-'));
    try {
      const preload = join(scratch, 'loaded.cjs');
      writeFileSync(
        preload,
        `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_OUT, Object.keys(require.cache).join('\\n')));`,
      );
      const loaded = async (args: string[]) => {
        const out = join(scratch, 'out.txt');
        await eddy(args, {
          ...server.env(),
          NODE_OPTIONS: `--require ${preload}`,
          LOADED_OUT: out,
        });
        return readFileSync(out, 'utf8');
      };
      for (const args of [['--help'], ['apps', 'list']]) {
        const modules = await loaded(args);
        assert.doesNotMatch(
          modules,
          /node_modules\/(fastify|better-sqlite3|@fastify)\//,
          args.join(' '),
        );
      }
      // The probe sees the server's modules when they are loaded.
      assert.match(
        await loaded(['server', 'token', 'list', '--data-dir', server.dataDir]),
        /better-sqlite3/,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    assert.ok(root.length > 0);
  });
});
