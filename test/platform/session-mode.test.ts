/**
 * Session mode: applications naming one session share one host process, and each keeps its own
 * job, snapshots and operations — stopping one leaves the other running in the same process, and
 * it joins that process again when started. A crash of the shared process restarts every
 * application of the session from its own latest checkpoint, exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.ts';
import {
  PLATFORM_TOKEN,
  packageJob,
  startPlatformServer,
  type Json,
  type PlatformServer,
} from '../support/platform-server.ts';
import { COUNTER_PROPS, assertExactlyOnce, countLines } from './counter-app-output.ts';

describe('session mode', { timeout: 360_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-session-test-'));
  const outOf = (name: string) => join(scratch, `out-${name}`);
  let server: PlatformServer;

  before(async () => {
    packageJob(
      'test/platform/fixtures/counter-app.ts',
      join(scratch, 'counter.eddy'),
      COUNTER_PROPS,
    );
    server = await startPlatformServer({ dataDir: join(scratch, 'data') });
  });

  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const operations = async (name: string): Promise<Json[]> =>
    (await server.call('GET', `/v1/applications/${name}/operations`)).json;

  const progress = async (name: string, more = 20) => {
    const committed = countLines(outOf(name)).length;
    await waitFor(() => countLines(outOf(name)).length >= committed + more, {
      timeoutMs: 60_000,
      message: `${name} to commit ${more} more counts`,
    });
  };

  it('runs two applications in one process, each with its own job, snapshots and operations', async () => {
    const artifact = await server.upload(join(scratch, 'counter.eddy'));
    for (const name of ['left', 'right']) {
      await server.create(name, artifact, {
        session: 'shared',
        properties: {
          counter: { out: outOf(name), rate: '100', 'log-every': '25', label: name },
        },
        checkpoints: { intervalMs: 300 },
        resources: { units: 0.25 },
        restartStrategy: { type: 'exponential-backoff', initialDelayMs: 100, attempts: 3 },
      });
      await server.startApp(name);
    }
    const left = await server.describe('left');
    const right = await server.describe('right');
    assert.equal(left.session, 'shared');
    assert.equal(left.job.pid, right.job.pid, 'one process');
    await progress('left');
    await progress('right');

    const snap = await server.call('POST', '/v1/applications/left/snapshots', {});
    assert.equal((await server.operationEnds(snap.json.operationId)).status, 'SUCCESSFUL');
    assert.equal((await server.call('GET', '/v1/applications/left/snapshots')).json.length, 1);
    assert.equal((await server.call('GET', '/v1/applications/right/snapshots')).json.length, 0);

    // Stopping one leaves the other running in the same process.
    const stop = await server.call('POST', '/v1/applications/right/stop', {});
    assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
    const stillLeft = await server.describe('left');
    assert.equal(stillLeft.status, 'RUNNING');
    assert.equal(stillLeft.job.pid, left.job.pid);
    await progress('left');
    const restart = await server.call('POST', '/v1/applications/right/start', {});
    assert.equal((await server.operationEnds(restart.json.operationId)).status, 'SUCCESSFUL');
    assert.equal(
      (await server.describe('right')).job.pid,
      left.job.pid,
      'joined the session again',
    );
    await progress('right');

    assert.deepEqual((await operations('left')).map((o) => o.type).reverse(), [
      'CREATE',
      'START',
      'SNAPSHOT',
    ]);
    assert.deepEqual((await operations('right')).map((o) => o.type).reverse(), [
      'CREATE',
      'START',
      'STOP',
      'START',
    ]);
  });

  it("serves each session application's own log lines (tail and follow), not the other's", async () => {
    const tail = async (name: string) => {
      const r = await server.call('GET', `/v1/applications/${name}/logs?tail=200`);
      assert.equal(r.status, 200);
      return r.text.split('\n').filter((l) => l !== '');
    };
    for (const [name, other] of [
      ['left', 'right'],
      ['right', 'left'],
    ] as const) {
      const lines = await waitFor(
        async () => {
          const l = await tail(name);
          return l.some((x) => x.startsWith(`counter ${name}: `)) ? l : undefined;
        },
        { timeoutMs: 60_000, message: `${name}'s own lines in its log` },
      );
      assert.ok(!lines.some((l) => l.includes(`counter ${other}:`)), lines.join('\n'));
      assert.ok(!lines.some((l) => l.includes('[eddy:app=')), 'lines are served without marks');
    }
    // Follow: new lines of this application only, as server-sent events.
    const events: string[] = [];
    const controller = new AbortController();
    const r = await fetch(`${server.url}/v1/applications/left/logs?follow=true&tail=0`, {
      headers: { authorization: `Bearer ${PLATFORM_TOKEN}` },
      signal: controller.signal,
    });
    assert.equal(r.status, 200);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      await waitFor(
        async () => {
          const { value } = await reader.read();
          buffered += decoder.decode(value, { stream: true });
          for (const e of buffered.split('\n\n').slice(0, -1))
            if (e.startsWith('data: ')) events.push(e.slice(6));
          buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 2);
          return events.filter((e) => e.startsWith('counter left: ')).length >= 2
            ? true
            : undefined;
        },
        { timeoutMs: 60_000, message: 'two followed lines of left' },
      );
    } finally {
      controller.abort();
    }
    assert.ok(!events.some((e) => e.includes('counter right:')), events.join('\n'));
  });

  it('restarts every application of a crashed session from its checkpoints, exactly once', async () => {
    const pid = (await server.describe('left')).job.pid;
    process.kill(pid, 'SIGKILL');
    for (const name of ['left', 'right']) {
      const back = await waitFor(
        async () => {
          const d = await server.describe(name);
          return d.status === 'RUNNING' && d.job.pid !== pid ? d : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 100, message: `${name} to run again` },
      );
      assert.match(back.lastFailure.reason, /SIGKILL/);
    }
    assert.equal(
      (await server.describe('left')).job.pid,
      (await server.describe('right')).job.pid,
      'one new process',
    );
    for (const name of ['left', 'right']) {
      await progress(name);
      const stop = await server.call('POST', `/v1/applications/${name}/stop`, {});
      assert.equal((await server.operationEnds(stop.json.operationId)).status, 'SUCCESSFUL');
      assertExactlyOnce(countLines(outOf(name)));
    }
  });
});
