/**
 * `GET /v1/applications/{name}/versions` (each version with its config), `GET …/logs?tail=N`,
 * and `GET …/logs?follow=true` as server-sent events read by a real HTTP client while the
 * application writes: the stream starts with the tail and goes on with exactly the lines the log
 * file gets next.
 */
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageExample, ClientTestServer, waitFor } from '../support/platform-cli.ts';

describe('versions and logs', { timeout: 300_000 }, () => {
  const server = new ClientTestServer();
  const config = {
    properties: { source: { events: '0', rate: '4000' } },
    resources: { units: 0.25 },
  };

  before(async () => {
    await server.start();
    const bytes = new Uint8Array(readFileSync(packageExample('bot-tagging', server.scratch)));
    const artifactId = (await server.call('POST', '/v1/artifacts', bytes)).json.id;
    assert.equal(
      (await server.call('POST', '/v1/applications', { name: 'bots', artifactId, config })).status,
      201,
    );
    const start = await server.call('POST', '/v1/applications/bots/start', {});
    assert.equal((await server.operationEnds(start.json.operationId)).status, 'SUCCESSFUL');
  });
  after(() => server.stop());

  it('lists versions newest first, each with its config', async () => {
    const update = await server.call('PATCH', '/v1/applications/bots', {
      config: { ...config, checkpoints: { intervalMs: 2000 } },
    });
    assert.equal(update.status, 202, update.text);
    assert.equal((await server.operationEnds(update.json.operationId)).status, 'SUCCESSFUL');
    const versions = await server.call('GET', '/v1/applications/bots/versions');
    assert.equal(versions.status, 200);
    assert.deepEqual(
      versions.json.map((v: { version: number }) => v.version),
      [2, 1],
    );
    assert.deepEqual(versions.json[1].config, config);
    assert.deepEqual(versions.json[0].config, { ...config, checkpoints: { intervalMs: 2000 } });
    assert.equal(versions.json[0].artifactId, versions.json[1].artifactId);
    assert.ok(
      versions.json.every((v: { createdAt: string }) => !Number.isNaN(Date.parse(v.createdAt))),
    );
    assert.equal((await server.call('GET', '/v1/applications/nope/versions')).status, 404);
  });

  it('answers the last N lines of the log', async () => {
    const logFile = join(server.dataDir, 'apps/bots/logs/app.log');
    await waitFor('10 log lines', () =>
      readFileSync(logFile, 'utf8').split('\n').length > 10 ? true : undefined,
    );
    const r = await server.call('GET', '/v1/applications/bots/logs?tail=4');
    assert.equal(r.status, 200);
    const lines = r.text.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 4);
    // They are consecutive lines of the file, and its newest whole lines when they were read.
    const file = readFileSync(logFile, 'utf8');
    assert.ok(file.includes(lines.join('\n') + '\n'), r.text);
    const none = await server.call('GET', '/v1/applications/bots/logs?tail=0');
    assert.equal(none.text, '');
  });

  it('follows the log as server-sent events: the tail, then every new line in order', async () => {
    const events: string[] = [];
    let response: IncomingMessage | undefined;
    const request = get(
      `${server.url}/v1/applications/bots/logs?follow=true&tail=3`,
      { headers: { authorization: `Bearer ${server.token}` } },
      (res) => {
        response = res;
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            if (event.startsWith('data: ')) events.push(event.slice(6));
          }
        });
      },
    );
    try {
      await waitFor('15 events', () => (events.length >= 15 ? true : undefined));
      assert.equal(response!.statusCode, 200);
      assert.match(String(response!.headers['content-type']), /^text\/event-stream/);
    } finally {
      request.destroy();
    }
    // The events are one run of consecutive lines of the log file: nothing skipped or repeated.
    const file = readFileSync(join(server.dataDir, 'apps/bots/logs/app.log'), 'utf8');
    const run = events.join('\n') + '\n';
    assert.ok(file.includes(run), `not consecutive log lines:\n${run}`);
    assert.ok(
      events.some((e) => /^(bot detected|progress)> /.test(e)),
      events.join('\n'),
    );
  });

  it('refuses a follow without a viewer token', async () => {
    const r = await server.call('GET', '/v1/applications/bots/logs?follow=true', undefined, null);
    assert.equal(r.status, 401);
  });
});
