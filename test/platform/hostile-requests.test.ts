/**
 * Hostile requests against a real server answer 4xx with an ErrorBody and change nothing: the
 * metadata database (every table) and the data directory's files are the same afterwards.
 * Malformed JSON, bodies past the limits (413), traversal names in bodies and URLs (`../x`,
 * `%2e%2e`, encoded slashes), unknown fields (400 naming the field), wrong types, artifacts that
 * are not artifacts or fail their manifest or checksums, and oversized artifacts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { writeZip } from '../../src/artifact/zip-writer.ts';
import { packageExample, ClientTestServer, type Answer } from '../support/platform-cli.ts';

const openDb = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

/** Every row of every table, in a stable order. */
function databaseContents(file: string): string {
  const db = new openDb(file, { readonly: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const out: Record<string, unknown[]> = {};
    for (const t of tables) {
      out[t] = (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[])
        .map((r) => JSON.stringify(r))
        .sort();
    }
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/** Every file of the data directory but the database's own, with its SHA-256. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out.push(`${relative(dir, full)}/`);
        walk(full);
      } else if (!/^eddy\.db/.test(name)) {
        out.push(
          `${relative(dir, full)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`,
        );
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** A request whose path is sent exactly as written (fetch would normalize `..`). */
function rawRequest(url: string, method: string, path: string, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('hostile requests', { timeout: 300_000 }, () => {
  // A 1 MiB artifact limit, so that "oversized" is cheap to send.
  const server = new ClientTestServer(['--max-artifact-mb', '1']);
  let artifact: Uint8Array;
  let artifactId = '';
  let before_: { db: string; files: string[] };

  before(async () => {
    await server.start();
    artifact = new Uint8Array(readFileSync(packageExample('sessionization', server.scratch)));
    const up = await server.call('POST', '/v1/artifacts', artifact);
    assert.equal(up.status, 201, up.text);
    artifactId = up.json.id;
    const created = await server.call('POST', '/v1/applications', {
      name: 'app',
      artifactId,
      config: { resources: { units: 0.125 } },
    });
    assert.equal(created.status, 201, created.text);
    before_ = {
      db: databaseContents(join(server.dataDir, 'eddy.db')),
      files: filesOf(server.dataDir),
    };
  });
  after(() => server.stop());

  const expect4xx = (a: Answer, status: number, what: string, field?: string) => {
    assert.equal(a.status, status, `${what}: ${a.status} ${a.text}`);
    assert.equal(typeof a.json?.error?.code, 'string', `${what}: an ErrorBody (${a.text})`);
    assert.ok(a.json.error.message.length > 0, what);
    if (field !== undefined) assert.equal(a.json.error.field, field, `${what}: ${a.text}`);
  };

  it('refuses malformed JSON and bodies past the limit', async () => {
    expect4xx(await server.call('POST', '/v1/applications', '{"name": "x",'), 400, 'malformed');
    expect4xx(await server.call('PATCH', '/v1/applications/app', 'null'), 400, 'null body');
    expect4xx(await server.call('POST', '/v1/applications', '[1,2]'), 400, 'array body');
    const huge = JSON.stringify({
      name: 'big',
      artifactId,
      config: { properties: { g: { k: 'x'.repeat(2 * 1024 * 1024) } } },
    });
    const tooLarge = await server.call('POST', '/v1/applications', huge);
    expect4xx(tooLarge, 413, 'huge JSON body');
    assert.equal(tooLarge.json.error.code, 'TOO_LARGE');
  });

  it('refuses traversal names in bodies and URLs', async () => {
    for (const name of ['../x', '..', 'a/b', '%2e%2e', 'UPPER', '-lead', 'a'.repeat(64), '']) {
      expect4xx(
        await server.call('POST', '/v1/applications', { name, artifactId }),
        400,
        `name ${JSON.stringify(name)}`,
        'body.name',
      );
    }
    for (const path of [
      '/v1/applications/%2e%2e',
      '/v1/applications/%2e%2e%2fapp',
      '/v1/applications/..%2F..%2Feddy.db',
      '/v1/applications/app/snapshots/..%2F..%2Feddy.db',
      '/v1/artifacts/..%2F..%2Feddy.db',
      '/v1/operations/..%2f..%2fx',
    ]) {
      for (const method of ['GET', 'DELETE']) {
        const a = await rawRequest(server.url, method, path, server.token);
        assert.ok(a.status === 400 || a.status === 404, `${method} ${path}: ${a.status} ${a.text}`);
        assert.equal(typeof a.json.error.code, 'string');
      }
    }
    for (const path of ['/v1/applications/../../eddy.db', '/v1/artifacts/../../../etc/passwd']) {
      const a = await rawRequest(server.url, 'DELETE', path, server.token);
      assert.ok(a.status >= 400 && a.status < 500, `${path}: ${a.status} ${a.text}`);
    }
  });

  it('refuses unknown fields and wrong types, naming the field', async () => {
    const create = (body: unknown) => server.call('POST', '/v1/applications', body);
    expect4xx(
      await create({ name: 'x', artifactId, colour: 'red' }),
      400,
      'unknown top field',
      'body.colour',
    );
    expect4xx(
      await create({
        name: 'x',
        artifactId,
        config: { checkpoints: { intervalMs: 100, colour: 1 } },
      }),
      400,
      'unknown nested field',
      'body.config.checkpoints.colour',
    );
    expect4xx(
      await create({ name: 'x', artifactId, config: { parallelism: '2' } }),
      400,
      'string for integer',
      'body.config.parallelism',
    );
    expect4xx(
      await create({ name: 'x', artifactId, config: { parallelism: 0 } }),
      400,
      'zero parallelism',
      'body.config.parallelism',
    );
    expect4xx(
      await create({ name: 'x', artifactId, config: { resources: { units: 0.3 } } }),
      400,
      'units off the 0.125 grid',
      'body.config.resources.units',
    );
    expect4xx(await create({ name: 'x' }), 400, 'missing artifactId', 'body.artifactId');
    expect4xx(await create({ name: 7, artifactId }), 400, 'number name', 'body.name');
    expect4xx(await server.call('PATCH', '/v1/applications/app', {}), 400, 'empty update');
    expect4xx(
      await server.call('POST', '/v1/applications/app/start', { restore: { mode: 'EVERYTHING' } }),
      400,
      'unknown restore mode',
      'body.restore.mode',
    );
    expect4xx(
      await server.call('POST', '/v1/applications/app/stop', { force: 'yes' }),
      400,
      'string for boolean',
      'body.force',
    );
    expect4xx(
      await server.call('GET', '/v1/applications/app/logs?colour=1'),
      400,
      'unknown query field',
      'querystring.colour',
    );
    expect4xx(
      await server.call('GET', '/v1/applications/app/logs?tail=-1'),
      400,
      'negative tail',
      'querystring.tail',
    );
    expect4xx(
      await server.call('GET', '/v1/applications/app/logs?follow=maybe'),
      400,
      'follow not a boolean',
      'querystring.follow',
    );
    expect4xx(
      await server.call('POST', '/v1/tokens', { name: 'x', role: 'root' }),
      400,
      'unknown role',
      'body.role',
    );
  });

  it('refuses artifacts that are not artifacts, fail their checks, or are too large', async () => {
    const upload = (bytes: Uint8Array) => server.call('POST', '/v1/artifacts', bytes);
    const notZip = await upload(new TextEncoder().encode('#!/bin/sh\nrm -rf /\n'));
    expect4xx(notZip, 400, 'not a zip');
    assert.equal(notZip.json.error.code, 'INVALID_ARTIFACT');
    const noManifest = await upload(
      writeZip([{ path: 'job.mjs', data: new TextEncoder().encode('1') }]),
    );
    expect4xx(noManifest, 400, 'no manifest');
    assert.match(noManifest.json.error.message, /manifest/);
    const badManifest = await upload(
      writeZip([{ path: 'manifest.json', data: new TextEncoder().encode('{"format": 1,') }]),
    );
    expect4xx(badManifest, 400, 'bad manifest');
    const traversal = await upload(
      writeZip([
        { path: 'manifest.json', data: new TextEncoder().encode('{}') },
        { path: '../../evil.mjs', data: new TextEncoder().encode('1') },
      ]),
    );
    expect4xx(traversal, 400, 'traversal member');
    // A real artifact with one byte of one member changed: its checksum no longer matches.
    const tampered = tamper(artifact);
    const mismatch = await upload(tampered);
    expect4xx(mismatch, 400, 'checksum mismatch');
    assert.equal(mismatch.json.error.code, 'INVALID_ARTIFACT');
    const truncated = await upload(artifact.subarray(0, artifact.length - 40));
    expect4xx(truncated, 400, 'truncated');
    const big = new Uint8Array(1024 * 1024 + 1);
    big.set(artifact);
    expect4xx(await upload(big), 413, 'oversized artifact');
    expect4xx(
      await server.call('POST', '/v1/artifacts', { id: 'x' }),
      400,
      'JSON instead of bytes',
    );
  });

  it('left the database and the data directory as they were', () => {
    assert.equal(databaseContents(join(server.dataDir, 'eddy.db')), before_.db);
    assert.deepEqual(filesOf(server.dataDir), before_.files);
  });
});

/** `bytes` with one byte of the stored job module changed (found by its plain-text content). */
function tamper(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const text = Buffer.from(copy).toString('latin1');
  // The manifest is stored uncompressed when deflate does not help; else flip a byte mid-archive.
  const at =
    text.indexOf('sessionization') > 0 ? Math.floor(copy.length / 3) : Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
