/**
 * Issue 8's measurement: records per second of an enrichment job that calls a local HTTP
 * service with 5 ms latency once per record — Eddy's async I/O (`mapAsync`, unordered and
 * ordered, capacity 100) against a one-call-at-a-time loop (`await` per record, the synchronous
 * style). The service runs in a child process; the client uses keep-alive sockets. Each variant
 * runs `--runs` times (after one warm-up run); the median is reported, with the engine process's
 * CPU time per record ("per core": records per CPU-second).
 *
 *   node --import tsx bench/async-io.ts [--records 20000] [--loop-records 400] [--runs 5]
 *       [--capacity 100] [--latency 5]
 *
 * Prints one JSON line per variant, then a summary table.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BlackholeSink, DataGenSource, StreamEnvironment } from '../src/index.ts';
import { ProfileClient } from '../examples/lib/profile-client.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    'loop-records': { type: 'string', default: '400' },
    runs: { type: 'string', default: '5' },
    capacity: { type: 'string', default: '100' },
    latency: { type: 'string', default: '5' },
  },
});
const records = Number(values.records);
const loopRecords = Number(values['loop-records']);
const runs = Number(values.runs);
const capacity = Number(values.capacity);

const server = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    new URL('./profile-server.ts', import.meta.url).pathname,
    '--latency',
    values.latency,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  server.once('error', reject);
  createInterface({ input: server.stdout }).once('line', resolve);
});

interface Event {
  readonly id: number;
  readonly user: string;
}
const event = (i: number): Event => ({ id: i, user: `user-${i % 50_000}` });

interface Measurement {
  readonly recordsPerSecond: number;
  readonly cpuMsPerRecord: number;
}

async function measure(n: number, run: () => Promise<void>): Promise<Measurement> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await run();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return {
    recordsPerSecond: (n * 1000) / wallMs,
    cpuMsPerRecord: (cpu.user + cpu.system) / 1000 / n,
  };
}

async function eddy(ordered: boolean): Promise<Measurement> {
  const client = new ProfileClient(url, capacity);
  const sink = new BlackholeSink<unknown>();
  const env = StreamEnvironment.create({ jobName: 'async-io-bench', handleSignals: false });
  env
    .fromSource(new DataGenSource(event, { count: records }))
    .mapAsync(
      (e: Event) => client.getProfile(e.user).then((p) => ({ ...e, country: p?.country })),
      { capacity, ordered, timeout: '10s' },
    )
    .sinkTo(sink);
  const m = await measure(records, async () => {
    await env.execute();
  });
  client.close();
  if (sink.count !== records) throw new Error(`expected ${records} results, got ${sink.count}`);
  return m;
}

async function loop(): Promise<Measurement> {
  const client = new ProfileClient(url, 1);
  const out: unknown[] = [];
  const m = await measure(loopRecords, async () => {
    for (let i = 0; i < loopRecords; i++) {
      const e = event(i);
      const p = await client.getProfile(e.user);
      out.push({ ...e, country: p?.country });
    }
  });
  client.close();
  return m;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const variants: [string, () => Promise<Measurement>][] = [
  [`eddy mapAsync unordered, capacity ${capacity}`, () => eddy(false)],
  [`eddy mapAsync ordered, capacity ${capacity}`, () => eddy(true)],
  ['one call at a time (await per record)', loop],
];
const rows: string[] = [];
try {
  for (const [name, run] of variants) {
    await run(); // warm-up
    const ms: Measurement[] = [];
    for (let i = 0; i < runs; i++) ms.push(await run());
    const rps = median(ms.map((m) => m.recordsPerSecond));
    const cpu = median(ms.map((m) => m.cpuMsPerRecord));
    console.log(
      JSON.stringify({
        variant: name,
        latencyMs: Number(values.latency),
        runs,
        recordsPerSecond: Math.round(rps),
        runsRecordsPerSecond: ms.map((m) => Math.round(m.recordsPerSecond)),
        cpuMsPerRecord: Number(cpu.toFixed(4)),
        recordsPerCpuSecond: Math.round(1000 / cpu),
      }),
    );
    rows.push(
      `${name.padEnd(42)} ${Math.round(rps).toLocaleString('en-US').padStart(9)} records/s   ` +
        `${Math.round(1000 / cpu)
          .toLocaleString('en-US')
          .padStart(9)} records/CPU-s`,
    );
  }
} finally {
  server.stdin?.end();
  server.kill('SIGTERM');
}
console.log(`\nlatency ${values.latency} ms, median of ${runs} runs:`);
for (const r of rows) console.log(r);
