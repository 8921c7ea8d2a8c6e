/**
 * Control-plane benchmarks (issue 15), against a real `eddy server` with real application
 * processes:
 *
 * 1. API latency of describe (`GET /v1/applications/{name}`) and list (`GET /v1/applications`)
 *    under `--clients` concurrent clients (default 100), p50 and p99.
 * 2. Server overhead idle with `--apps` applications running (default 10; bot tagging at 1
 *    event/s, 1/8 unit each): the server process's RSS and CPU use over `--idle-seconds`, and
 *    the application processes' RSS.
 * 3. Update-to-RUNNING with `--keys` keys of state (default 1M; bench/platform-keys-job.ts): the
 *    time from `PATCH` to the operation's end (snapshot, stop, start from the snapshot).
 *
 * Each measurement is taken `--runs` times (default 3) and the median reported; a table is
 * printed, and the figures and a chart are written to `bench/results/platform-api-<time>.*`.
 *
 *   node --import tsx bench/platform-api.ts [--clients 100] [--apps 10] [--keys 1000000] [--runs 3]
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { groupedBarChart } from './charts/grouped-bar-chart.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    requests: { type: 'string', default: '20' },
    apps: { type: 'string', default: '10' },
    keys: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
/** `--only update` runs the update measurement alone (no idle applications, no latency). */
const only = args.only;
if (only !== undefined && only !== 'update') throw new Error('--only takes "update"');
const clients = Number(args.clients);
const perClient = Number(args.requests);
const appCount = Number(args.apps);
const keys = Number(args.keys);
const runs = Number(args.runs);
const idleSeconds = Number(args['idle-seconds']);

const root = fileURLToPath(new URL('..', import.meta.url));
const eddyBin = join(root, 'bin/eddy.js');
const scratch = mkdtempSync(join(tmpdir(), 'eddy-bench-platform-'));
const TOKEN = 'eddy_bench_admin_token';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function packageJob(job: string, props: string[] = []): Uint8Array {
  const out = join(scratch, `${job.replace(/\W/g, '-')}.eddy`);
  const r = spawnSync(
    process.execPath,
    [eddyBin, 'package', join(root, job), '-o', out, '-q', ...props.flatMap((p) => ['--prop', p])],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return new Uint8Array(readFileSync(out));
}

/** /proc/<pid>/stat CPU ticks (user + system) and RSS bytes. */
function procStats(pid: number): { cpuTicks: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) * 4096 };
}

const server = spawn(
  process.execPath,
  [eddyBin, 'server', '--data-dir', join(scratch, 'data'), '--port', '0'],
  { env: { ...process.env, EDDY_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
);
let output = '';
server.stdout.on('data', (c: Buffer) => (output += c.toString()));
server.stderr.on('data', (c: Buffer) => (output += c.toString()));
let url = '';
while (url === '') {
  if (server.exitCode !== null) throw new Error(output);
  url = /listening on (http\S+)/.exec(output)?.[1] ?? '';
  await sleep(50);
}

// Answers are read loosely; the server checks its schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(method: string, path: string, body?: unknown): Promise<Json> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  let payload: string | Uint8Array | undefined;
  if (body instanceof Uint8Array) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(url + path, {
    method,
    headers,
    ...(payload !== undefined && { body: payload }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

async function operationEnds(id: string): Promise<void> {
  for (;;) {
    const op = await call('GET', `/v1/operations/${id}`);
    if (op.status === 'SUCCESSFUL') return;
    if (op.status === 'FAILED') throw new Error(`${id}: ${op.failureReason}`);
    await sleep(25);
  }
}

/** Parts 1 and 2: latency under concurrent clients and idle overhead with `appCount` applications. */
async function controlPlane(): Promise<void> {
  // 10 idle applications.
  const bots = (await call('POST', '/v1/artifacts', packageJob('examples/bot-tagging.ts'))).id;
  for (let i = 0; i < appCount; i++) {
    await call('POST', '/v1/applications', {
      name: `app-${i}`,
      artifactId: bots,
      config: { properties: { source: { events: '0', rate: '1' } }, resources: { units: 0.125 } },
    });
    await operationEnds((await call('POST', `/v1/applications/app-${i}/start`, {})).operationId);
  }
  process.stderr.write(`${appCount} applications running\n`);

  // 1. Latency under concurrent clients.
  for (let run = 0; run < runs; run++) {
    for (const kind of ['describe', 'list'] as const) {
      const samples: number[] = [];
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = 0; i < perClient; i++) {
            const t0 = performance.now();
            await call(
              'GET',
              kind === 'list' ? '/v1/applications' : `/v1/applications/app-${c % appCount}`,
            );
            samples.push(performance.now() - t0);
          }
        }),
      );
      latency[kind].push(percentile(samples, 50), percentile(samples, 99));
    }
  }

  // 2. Idle overhead.
  const hz = 100; // USER_HZ on Linux
  for (let run = 0; run < runs; run++) {
    const a = procStats(server.pid!);
    await sleep(idleSeconds * 1000);
    const b = procStats(server.pid!);
    let appsRss = 0;
    for (const app of await call('GET', '/v1/applications')) appsRss += app.usage.rssBytes;
    idle.push({ cpu: (b.cpuTicks - a.cpuTicks) / hz / idleSeconds, rss: b.rss, appsRss });
  }
  for (let i = 0; i < appCount; i++) {
    await operationEnds(
      (await call('POST', `/v1/applications/app-${i}/stop`, { force: true })).operationId,
    );
  }
}

const latency = { describe: [] as number[], list: [] as number[] };
const idle: { cpu: number; rss: number; appsRss: number }[] = [];
try {
  if (only === undefined) await controlPlane();

  // 3. Update to RUNNING with `keys` keys of state.
  const keysJob = (await call('POST', '/v1/artifacts', packageJob('bench/platform-keys-job.ts')))
    .id;
  const config = (n: number) => ({
    properties: { keys: { count: String(keys), rate: '200000' }, bench: { update: String(n) } },
    resources: { units: 1 },
    checkpoints: { intervalMs: 60_000 },
  });
  await call('POST', '/v1/applications', { name: 'keys', artifactId: keysJob, config: config(0) });
  await operationEnds((await call('POST', '/v1/applications/keys/start', {})).operationId);
  const logFile = join(scratch, 'data/apps/keys/logs/app.log');
  while (!readFileSync(logFile, 'utf8').includes('filled')) await sleep(200);
  const updates: { ms: number; snapshotBytes: number; stages: Record<string, number> }[] = [];
  for (let run = 1; run <= runs; run++) {
    const t0 = performance.now();
    const accepted = await call('PATCH', '/v1/applications/keys', { config: config(run) });
    await operationEnds(accepted.operationId);
    const ms = performance.now() - t0;
    const op = await call('GET', `/v1/operations/${accepted.operationId}`);
    const snap = await call('GET', `/v1/applications/keys/snapshots/${op.snapshot}`);
    const stages: Record<string, number> = {};
    for (const st of op.stages ?? []) stages[st.name] = st.ms;
    process.stderr.write(`update ${run}: ${Math.round(ms)} ms ${JSON.stringify(stages)}\n`);
    updates.push({ ms, snapshotBytes: snap.sizeBytes, stages });
  }

  const lat = (kind: 'describe' | 'list', p: 0 | 1) =>
    latency[kind].length === 0 ? NaN : median(latency[kind].filter((_, i) => i % 2 === p));
  const result = {
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, loadavg: loadavg() },
    clients,
    requestsPerClient: perClient,
    runs,
    latencyMs: {
      describe: { p50: lat('describe', 0), p99: lat('describe', 1) },
      list: { p50: lat('list', 0), p99: lat('list', 1) },
    },
    idle: {
      applications: appCount,
      serverCpuShare: median(idle.map((x) => x.cpu)),
      serverRssBytes: median(idle.map((x) => x.rss)),
      applicationsRssBytes: median(idle.map((x) => x.appsRss)),
    },
    update: {
      keys,
      toRunningMs: median(updates.map((u) => u.ms)),
      samplesMs: updates.map((u) => Math.round(u.ms)),
      snapshotBytes: median(updates.map((u) => u.snapshotBytes)),
      // Median of each stage the operations recorded (where the time went).
      stagesMs: Object.fromEntries(
        Object.keys(updates[0]?.stages ?? {}).map((k) => [
          k,
          median(updates.map((u) => u.stages[k] ?? 0)),
        ]),
      ),
    },
  };
  const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
  if (only === 'update') {
    console.log(
      `update to RUNNING, ${keys} keys   ${(result.update.toRunningMs / 1000).toFixed(2)} s (runs ${result.update.samplesMs.join(', ')} ms; snapshot ${mib(result.update.snapshotBytes)}; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
  } else
    console.log(`
eddy server, ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (medians of ${runs})
  describe latency, ${clients} clients   p50 ${result.latencyMs.describe.p50.toFixed(1)} ms   p99 ${result.latencyMs.describe.p99.toFixed(1)} ms
  list latency (${appCount} apps), ${clients} clients   p50 ${result.latencyMs.list.p50.toFixed(1)} ms   p99 ${result.latencyMs.list.p99.toFixed(1)} ms
  idle with ${appCount} applications   server CPU ${(result.idle.serverCpuShare * 100).toFixed(1)} %   server RSS ${mib(result.idle.serverRssBytes)}   applications RSS ${mib(result.idle.applicationsRssBytes)}
  update to RUNNING, ${keys} keys   ${(result.update.toRunningMs / 1000).toFixed(2)} s (runs ${result.update.samplesMs.join(', ')} ms; snapshot ${mib(result.update.snapshotBytes)})`);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = join(fileURLToPath(new URL('./results/', import.meta.url)), `platform-api-${stamp}`);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  // With --only update there is no latency to draw: the chart shows where the update's time went.
  const stagesChart = groupedBarChart({
    title: `update to RUNNING with ${keys} keys: median ms per stage (of ${runs})`,
    series: [{ name: 'ms', color: '#2f6fdf' }],
    groups: Object.entries(result.update.stagesMs).map(([label, ms]) => ({
      label,
      values: { ms },
    })),
    format: (v) => `${v.toFixed(0)} ms`,
  });
  writeFileSync(
    `${base}.svg`,
    only === 'update'
      ? stagesChart
      : groupedBarChart({
          title: `eddy server API latency, ${clients} concurrent clients (median of ${runs})`,
          series: [
            { name: 'p50', color: '#2f6fdf' },
            { name: 'p99', color: '#a7c4f2' },
          ],
          groups: [
            {
              label: 'describe',
              values: { p50: result.latencyMs.describe.p50, p99: result.latencyMs.describe.p99 },
            },
            {
              label: `list (${appCount} apps)`,
              values: { p50: result.latencyMs.list.p50, p99: result.latencyMs.list.p99 },
            },
          ],
          format: (v) => `${v.toFixed(0)} ms`,
        }),
  );
  console.log(`wrote ${base}.json and ${base}.svg`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(scratch, { recursive: true, force: true });
}
