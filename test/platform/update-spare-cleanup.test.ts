/**
 * An update starts the new version's process (a "spare") while the old version takes its
 * savepoint. A spare the update does not use — the savepoint fails, the new version cannot start
 * and the update is rolled back, the server is stopped or killed mid-update — leaves no process
 * behind: every application process the server started during the update is checked by pid.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.ts';
import {
  packageJob,
  startPlatformServer,
  type PlatformServer,
} from '../support/platform-server.ts';
import { COUNTER_PROPS, countLines } from './counter-app-output.ts';

/** A process's parent pid and start time (clock ticks), from /proc; undefined once it is gone. */
function procStat(pid: number): { ppid: number; startTicks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has ended; its parent has not reaped it yet.
    if (f[0] === 'Z') return undefined;
    return { ppid: Number(f[1]), startTicks: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** An application host process: its pid, start time and `EDDY_HOST_ID`. */
interface HostSeen {
  readonly pid: number;
  readonly startTicks: number;
  readonly hostId: string;
}

/** The application host processes whose parent is `parent`. */
function hostsOf(parent: number): HostSeen[] {
  const out: HostSeen[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = procStat(pid);
    if (st?.ppid !== parent) continue;
    let env = '';
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    // (A process caught between fork and exec still has the server's environment: it is seen
    // on a later poll, or by the pid the server logs when it ends.)
    const hostId = /(?:^|\0)EDDY_HOST_ID=([^\0]*)/.exec(env)?.[1];
    if (hostId !== undefined) out.push({ pid, startTicks: st.startTicks, hostId });
  }
  return out;
}

/** Whether the process `h` still runs (the same process: pids are reused). */
const alive = (h: HostSeen): boolean => procStat(h.pid)?.startTicks === h.startTicks;

/** Records every host process `parent` has while it runs, every 10 ms, until `stop()`. */
function watchHosts(parent: number): { stop(): HostSeen[]; seen(): HostSeen[] } {
  const seen = new Map<string, HostSeen>();
  const look = () => {
    for (const h of hostsOf(parent)) seen.set(`${h.pid}/${h.startTicks}`, h);
  };
  look();
  const timer = setInterval(look, 10);
  return {
    seen: () => [...seen.values()],
    stop: () => {
      clearInterval(timer);
      look();
      return [...seen.values()];
    },
  };
}

describe('the spare process of an update that does not use it', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-spare-test-'));
  let v1 = '';
  let failing = '';
  const servers: PlatformServer[] = [];

  before(() => {
    packageJob('test/platform/fixtures/counter-app.ts', join(scratch, 'v1.eddy'), COUNTER_PROPS);
    packageJob('test/platform/fixtures/failing-app.ts', join(scratch, 'failing.eddy'), [
      'failing.at-start=false',
    ]);
  });

  after(async () => {
    for (const s of servers) await s.kill();
    rmSync(scratch, { recursive: true, force: true });
  });

  const configOf = (out: string, rate = '200') => ({
    properties: { counter: { out, rate } },
    checkpoints: { intervalMs: 300 },
    resources: { units: 0.25 },
  });

  /** A server with application `name` counting into `out`; its host process. */
  const serverCounting = async (dataDir: string, name: string, out: string) => {
    const server = await startPlatformServer({ dataDir });
    servers.push(server);
    v1 = await server.upload(join(scratch, 'v1.eddy'));
    failing = await server.upload(join(scratch, 'failing.eddy'));
    await server.create(name, v1, configOf(out));
    await server.startApp(name);
    await waitFor(() => countLines(out).length >= 10, {
      timeoutMs: 60_000,
      message: `${name} to commit 10 counts`,
    });
    const hosts = hostsOf(server.child.pid!);
    assert.deepEqual(
      hosts.map((h) => h.hostId),
      [`app-${name}`],
      JSON.stringify(hosts),
    );
    return { server, host: hosts[0]! };
  };

  /** Waits until the update's spare process has appeared; returns it. */
  const spareOf = (watch: ReturnType<typeof watchHosts>, old: HostSeen) =>
    waitFor(() => watch.seen().find((h) => h.pid !== old.pid), {
      timeoutMs: 60_000,
      intervalMs: 10,
      message: 'the spare process to start',
    });

  it('ends it when the savepoint fails; the old version runs on or ends with its process', async () => {
    const out = join(scratch, 'out-a');
    const { server, host } = await serverCounting(join(scratch, 'data-a'), 'sp', out);
    // A file where the snapshots directory belongs: the savepoint cannot be written.
    const snapshots = join(server.options.dataDir, 'apps/sp/snapshots');
    rmSync(snapshots, { recursive: true, force: true });
    writeFileSync(snapshots, 'not a directory');
    const watch = watchHosts(server.child.pid!);
    const patch = await server.call('PATCH', '/v1/applications/sp', {
      config: configOf(out, '201'),
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const update = await server.operationEnds(patch.json.operationId);
    assert.equal(update.status, 'FAILED', JSON.stringify(update));
    // The savepoint can fail within milliseconds, before the poll sees the spare: the server
    // logs each process's end with its pid (a spare that never ended is seen by the poll).
    const logFile = join(server.options.dataDir, 'apps/sp/logs/app.log');
    const sparesSeen = () =>
      new Set([
        ...watch
          .seen()
          .filter((h) => h.pid !== host.pid)
          .map((h) => h.pid),
        ...[
          ...readFileSync(logFile, 'utf8').matchAll(/process (\d+) ended: spare not needed/g),
        ].map((m) => Number(m[1])),
      ]);
    const spares = await waitFor(
      () => {
        const pids = sparesSeen();
        return pids.size > 0 && [...pids].every((pid) => procStat(pid) === undefined) && pids;
      },
      { timeoutMs: 30_000, message: `the spare to end (seen: ${[...sparesSeen()].join(', ')})` },
    );
    watch.stop();
    assert.equal(spares.size, 1, `one spare: ${JSON.stringify([...spares])}`);
    // The old version's job runs on (RUNNING, its process alive), or the engine ended it when
    // its savepoint failed (READY, its process gone): never a process without its application.
    const app = await server.waitForStatus('sp', ['RUNNING', 'READY']);
    if (app.status === 'RUNNING') assert.ok(alive(host), 'the old version still runs');
    else
      await waitFor(() => !alive(host), {
        timeoutMs: 30_000,
        message: "the old version's ended job's process to end",
      });
    rmSync(snapshots, { force: true });
    mkdirSync(snapshots, { recursive: true });
  });

  it('ends the new version when it cannot start and the update is rolled back', async () => {
    const out = join(scratch, 'out-b');
    const { server, host } = await serverCounting(join(scratch, 'data-b'), 'rb', out);
    const watch = watchHosts(server.child.pid!);
    const patch = await server.call('PATCH', '/v1/applications/rb', { artifactId: failing });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    assert.equal((await server.operationEnds(patch.json.operationId)).status, 'FAILED');
    const app = await server.waitForStatus('rb', ['RUNNING', 'FAILED']);
    assert.equal(app.status, 'RUNNING', JSON.stringify(app));
    assert.equal(app.version, 1);
    // The old version's process, the new version's (the spare), the rolled-back version's.
    const running = hostsOf(server.child.pid!);
    assert.equal(running.length, 1, JSON.stringify(running));
    assert.equal(running[0]!.pid, app.job.pid);
    const seen = watch.stop();
    assert.ok(seen.length >= 3, `three processes: ${JSON.stringify(seen)}`);
    for (const h of seen) {
      if (h.pid === app.job.pid) continue;
      await waitFor(() => !alive(h), { timeoutMs: 30_000, message: `process ${h.pid} to end` });
    }
    assert.ok(!alive(host));
  });

  it('ends it when the server is stopped mid-update', async () => {
    const out = join(scratch, 'out-c');
    const { server, host } = await serverCounting(join(scratch, 'data-c'), 'st', out);
    const watch = watchHosts(server.child.pid!);
    const patch = await server.call('PATCH', '/v1/applications/st', {
      config: configOf(out, '201'),
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const spare = await spareOf(watch, host);
    await server.stop();
    const seen = watch.stop();
    for (const h of [host, spare, ...seen]) {
      await waitFor(() => !alive(h), { timeoutMs: 30_000, message: `process ${h.pid} to end` });
    }
  });

  it('ends it when the server is killed mid-update', async () => {
    const out = join(scratch, 'out-d');
    const { server, host } = await serverCounting(join(scratch, 'data-d'), 'kl', out);
    const watch = watchHosts(server.child.pid!);
    const patch = await server.call('PATCH', '/v1/applications/kl', {
      config: configOf(out, '201'),
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    const spare = await spareOf(watch, host);
    await server.kill();
    const seen = watch.stop();
    // Their control channel closed with the server: they end by themselves, without a new server.
    for (const h of [host, spare, ...seen]) {
      await waitFor(() => !alive(h), { timeoutMs: 30_000, message: `process ${h.pid} to end` });
    }
  });
});
