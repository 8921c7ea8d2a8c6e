/**
 * The auth matrix of the control-plane API, against a real server: no token and a wrong token
 * answer 401; a viewer reads but every POST/PATCH/DELETE answers 403; a deployer deploys but
 * cannot manage tokens; an admin does everything. Every refusal is an ErrorBody with a hint.
 * Tokens are stored hashed, and `eddy server token` manages them on the data directory while
 * the server runs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { eddy, packageExample, ClientTestServer, type Json } from '../support/platform-cli.ts';

const openDb = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

/** Routes and whether they only read. `ghost` does not exist: a passed check answers 404. */
const ROUTES: readonly { method: string; path: string; body?: unknown; minRole: string }[] = [
  { method: 'GET', path: '/v1/applications', minRole: 'viewer' },
  { method: 'GET', path: '/v1/applications/ghost', minRole: 'viewer' },
  { method: 'GET', path: '/v1/artifacts', minRole: 'viewer' },
  { method: 'GET', path: '/v1/operations/op-none', minRole: 'viewer' },
  {
    method: 'POST',
    path: '/v1/applications',
    body: { name: 'ghost', artifactId: 'art-none' },
    minRole: 'deployer',
  },
  {
    method: 'PATCH',
    path: '/v1/applications/ghost',
    body: { config: { parallelism: 2 } },
    minRole: 'deployer',
  },
  { method: 'DELETE', path: '/v1/applications/ghost', minRole: 'deployer' },
  { method: 'POST', path: '/v1/applications/ghost/start', body: {}, minRole: 'deployer' },
  { method: 'POST', path: '/v1/applications/ghost/stop', body: {}, minRole: 'deployer' },
  { method: 'POST', path: '/v1/applications/ghost/rollback', minRole: 'deployer' },
  { method: 'POST', path: '/v1/applications/ghost/snapshots', body: {}, minRole: 'deployer' },
  { method: 'DELETE', path: '/v1/artifacts/art-none', minRole: 'deployer' },
  { method: 'GET', path: '/v1/tokens', minRole: 'admin' },
  { method: 'DELETE', path: '/v1/tokens/tok-none', minRole: 'admin' },
  {
    method: 'POST',
    path: '/v1/tokens',
    body: { name: 'x', role: 'nonsense' },
    minRole: 'admin',
  },
];
const RANK: Record<string, number> = { viewer: 0, deployer: 1, admin: 2 };

describe('API auth', { timeout: 300_000 }, () => {
  const server = new ClientTestServer();
  const tokens: Record<string, string> = {};

  before(async () => {
    await server.start();
    tokens['admin'] = server.token;
    for (const role of ['viewer', 'deployer']) {
      const r = await server.call('POST', '/v1/tokens', { name: `${role}-1`, role });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.role, role);
      tokens[role] = r.json.token;
    }
  });
  after(() => server.stop());

  const assertErrorBody = (json: Json, code: string) => {
    assert.equal(json.error.code, code, JSON.stringify(json));
    assert.ok(json.error.message.length > 10, JSON.stringify(json));
    assert.ok(json.error.hint.length > 5, JSON.stringify(json));
  };

  it('answers 401 without a token and with a wrong one, on every route', async () => {
    for (const r of ROUTES) {
      for (const token of [null, 'eddy_wrong', '']) {
        const a = await server.call(r.method, r.path, r.body, token);
        assert.equal(a.status, 401, `${r.method} ${r.path} with ${String(token)}: ${a.text}`);
        assertErrorBody(a.json, 'UNAUTHENTICATED');
      }
    }
    // A malformed header is no token either.
    const basic = await fetch(`${server.url}/v1/applications`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    assert.equal(basic.status, 401);
  });

  it('lets each role do what it may and answers 403 naming the role otherwise', async () => {
    for (const role of ['viewer', 'deployer', 'admin']) {
      for (const r of ROUTES) {
        const a = await server.call(r.method, r.path, r.body, tokens[role]!);
        const where = `${role} ${r.method} ${r.path}: ${a.status} ${a.text}`;
        if (RANK[role]! >= RANK[r.minRole]!) {
          assert.ok(a.status !== 401 && a.status !== 403, where);
          assert.ok(a.status < 500, where);
        } else {
          assert.equal(a.status, 403, where);
          assertErrorBody(a.json, 'FORBIDDEN');
          assert.match(
            a.json.error.message,
            new RegExp(`has role ${role}; this request needs ${r.minRole}`),
          );
        }
      }
    }
  });

  it('lets a deployer deploy (upload, create, operations say who) but not manage tokens', async () => {
    const bytes = new Uint8Array(readFileSync(packageExample('sessionization', server.scratch)));
    const viewerUpload = await server.call('POST', '/v1/artifacts', bytes, tokens['viewer']!);
    assert.equal(viewerUpload.status, 403);
    const upload = await server.call('POST', '/v1/artifacts', bytes, tokens['deployer']!);
    assert.equal(upload.status, 201, upload.text);
    const created = await server.call(
      'POST',
      '/v1/applications',
      { name: 'sessions', artifactId: upload.json.id, config: { resources: { units: 0.125 } } },
      tokens['deployer']!,
    );
    assert.equal(created.status, 201, created.text);
    const ops = (
      await server.call('GET', '/v1/applications/sessions/operations', undefined, tokens['viewer']!)
    ).json;
    assert.equal(ops[0].type, 'CREATE');
    assert.equal(ops[0].by, 'deployer-1');
    const mint = await server.call(
      'POST',
      '/v1/tokens',
      { name: 'sneaky', role: 'admin' },
      tokens['deployer']!,
    );
    assert.equal(mint.status, 403);
    const list = await server.call('GET', '/v1/tokens', undefined, tokens['admin']!);
    assert.ok(!list.json.some((t: Json) => t.name === 'sneaky'));
    const del = await server.call(
      'DELETE',
      '/v1/applications/sessions',
      undefined,
      tokens['viewer']!,
    );
    assert.equal(del.status, 403);
    assert.equal((await server.call('GET', '/v1/applications/sessions')).json.status, 'READY');
  });

  it('stores only hashes of tokens', () => {
    const db = new openDb(join(server.dataDir, 'eddy.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM tokens').all() as Record<string, unknown>[];
      assert.ok(rows.length >= 3);
      const dump = JSON.stringify(rows);
      for (const t of Object.values(tokens)) {
        assert.ok(!dump.includes(t), 'no token is stored as it is');
        const hash = createHash('sha256').update(t).digest('hex');
        assert.equal(rows.filter((r) => r['hash'] === hash).length, 1);
      }
    } finally {
      db.close();
    }
  });

  it('never answers a token value or hash when listing', async () => {
    const list = await server.call('GET', '/v1/tokens');
    assert.equal(list.status, 200);
    const text = list.text;
    for (const t of Object.values(tokens)) {
      assert.ok(!text.includes(t));
      assert.ok(!text.includes(createHash('sha256').update(t).digest('hex')));
    }
    assert.deepEqual(Object.keys(list.json[0]).sort(), ['createdAt', 'id', 'name', 'role']);
  });

  it('eddy server token create|list|revoke works on the data directory while the server runs', async () => {
    const dir = ['--data-dir', server.dataDir];
    const created = await eddy([
      'server',
      'token',
      'create',
      '--role',
      'deployer',
      '--name',
      'ci',
      ...dir,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^eddy_[A-Za-z0-9_-]{40,}$/);
    assert.match(created.stderr, /created deployer token tok-\w+ \(ci\); it is shown only now/);
    // Usable at once by the running server.
    assert.equal((await server.call('GET', '/v1/applications', undefined, token)).status, 200);
    const listed = await eddy(['server', 'token', 'list', '--json', ...dir]);
    assert.equal(listed.code, 0, listed.stderr);
    const row = JSON.parse(listed.stdout).find((t: Json) => t.name === 'ci');
    assert.equal(row.role, 'deployer');
    const revoked = await eddy(['server', 'token', 'revoke', row.id, ...dir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked ${row.id} \\(ci, deployer\\)`));
    const after = await server.call('GET', '/v1/applications', undefined, token);
    assert.equal(after.status, 401);
    const again = await eddy(['server', 'token', 'revoke', row.id, ...dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is revoked already/);
    const badRole = await eddy(['server', 'token', 'create', '--role', 'root', ...dir]);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /--role must be viewer, deployer or admin/);
    const noData = await eddy([
      'server',
      'token',
      'list',
      '--data-dir',
      join(server.scratch, 'none'),
    ]);
    assert.equal(noData.code, 2);
    assert.match(noData.stderr, /no eddy server data in/);
  });

  it('an admin revokes through the API, but not the last admin token', async () => {
    const made = await server.call('POST', '/v1/tokens', { name: 'temp', role: 'viewer' });
    assert.equal(made.status, 201);
    const revoke = await server.call('DELETE', `/v1/tokens/${made.json.id}`);
    assert.equal(revoke.status, 200, revoke.text);
    assert.ok(revoke.json.revokedAt);
    assert.equal(
      (await server.call('GET', '/v1/applications', undefined, made.json.token)).status,
      401,
    );
    const admins = (await server.call('GET', '/v1/tokens')).json.filter(
      (t: Json) => t.role === 'admin' && t.revokedAt === undefined,
    );
    assert.equal(admins.length, 1);
    const last = await server.call('DELETE', `/v1/tokens/${admins[0].id}`);
    assert.equal(last.status, 409);
    assert.match(last.json.error.message, /last admin token/);
    assert.equal((await server.call('GET', '/v1/tokens')).status, 200);
  });
});
