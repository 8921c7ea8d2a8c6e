/**
 * `eddy bench nexmark`: runs a Nexmark query on Eddy (one run, printed as a summary or a JSON
 * line), or with `--all` every query against the loop baseline and optionally Flink, checking
 * that the outputs agree (bench/nexmark/eddy/suite.ts).
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobClient } from '../../core/job-client.ts';
import type { MetricSample } from '../../core/metric-sample.ts';
import { usageError } from '../cli-error.ts';
import { loadJob } from '../load-job.ts';
import {
  discardWarmSlotWorkers,
  keepFinishedSlotWorkers,
} from '../../runtime/parallel/warm-slot-workers.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';

const benchFlags: readonly FlagSpec[] = [
  {
    name: 'query',
    type: 'string',
    placeholder: '<qN>',
    description: 'the query to run (q0, q1, …)',
  },
  {
    name: 'events',
    type: 'number',
    placeholder: '<n>',
    description: 'number of events (default 1000000)',
  },
  {
    name: 'parallelism',
    short: 'p',
    type: 'number',
    placeholder: '<n>',
    description: 'parallelism (default 1; runs on one worker thread per slot)',
  },
  {
    name: 'rate',
    type: 'number',
    placeholder: '<eps>',
    description: 'event-time rate, events/s (default 10000)',
  },
  { name: 'seed', type: 'number', placeholder: '<s>', description: 'generator seed (default 0)' },
  {
    name: 'output',
    type: 'string',
    placeholder: '<dir>',
    description: 'write canonical output lines to <dir>/part-<subtask>.jsonl',
  },
  {
    name: 'in-process',
    type: 'boolean',
    description: 'run every subtask in the main thread (no worker threads)',
  },
  {
    name: 'threads',
    type: 'boolean',
    description:
      'with -p 1 and --warmup: run on a worker thread anyway (the warm-up then warms another thread)',
  },
  {
    name: 'warmup',
    type: 'number',
    placeholder: '<n>',
    description:
      'first run <n> events in the same process, unmeasured (as the tuned Flink baseline does); ' +
      'at -p 1 both runs then use the main thread, at -p > 1 the measured run reuses the ' +
      "warm-up's worker threads: either way the warm-up warms the measured run",
  },
  { name: 'json', type: 'boolean', description: 'print only one JSON result line' },
  {
    name: 'all',
    type: 'boolean',
    description:
      'every query: Eddy vs the loop baseline (and Flink), outputs checked, results saved',
  },
  {
    name: 'flink',
    type: 'boolean',
    description:
      'with --all: also run the Flink baselines (idiomatic, tuned, and hand-written q5/q11)',
  },
  {
    name: 'queries',
    type: 'string',
    placeholder: '<q0,q1,…>',
    description: 'with --all: only these queries',
  },
  {
    name: 'runs',
    type: 'number',
    placeholder: '<n>',
    description: 'with --all: runs per engine and query; the median is reported (default 1)',
  },
  {
    name: 'idiomatic-runs',
    type: 'number',
    placeholder: '<n>',
    description:
      'with --all --flink: runs of idiomatic Flink, 5–10× slower than the rest (default: --runs)',
  },
  {
    name: 'check-events',
    type: 'number',
    placeholder: '<n>',
    description: 'with --all: events of the output comparison runs (default 100000)',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const benchHelp = `Usage: eddy bench nexmark --query <qN> [flags]
       eddy bench nexmark --all [--flink] [flags]

Runs the Nexmark benchmark (bench/nexmark/README.md) on Eddy and prints events per second, CPU
seconds (all threads), events per CPU second and the output count. With --all, runs every query
on Eddy, the hand-written loop baseline and (--flink) Apache Flink — the idiomatic job, the tuned
one and, for q5 and q11, tuned with a hand-written operator — fails if any outputs differ, prints
Eddy/loop and Eddy/Flink ratios, and writes bench/results/<date>.json and .svg (a chart).

--all runs Eddy and the loop under \`node --min-semi-space-size=64 --max-semi-space-size=64\` (a
fixed nursery, as tuned Flink gets a fixed heap: ADR 0027); give one run the same flags to
compare with it.

Flags:
${formatFlags(benchFlags)}

Examples:
  eddy bench nexmark --query q5 --events 10000000 --parallelism 2
  eddy bench nexmark --all --flink --events 10000000 --warmup 1000000 --runs 3 --idiomatic-runs 1 -p 1
  node --min-semi-space-size=64 --max-semi-space-size=64 bin/eddy.js bench nexmark --query q1 --warmup 1000000`;

/** The result line of one Eddy run (same fields as the loop and Flink baselines print). */
export interface BenchResult {
  readonly engine: 'eddy';
  readonly query: string;
  readonly events: number;
  readonly parallelism: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly outputCount: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
}

function sourceRecordsOut(samples: readonly MetricSample[]): number {
  let n = 0;
  for (const s of samples) {
    if (s.name === 'records_out' && s.labels['operator'] === 'Nexmark') n += s.value as number;
  }
  return n;
}

function progress(job: JobClient, events: number, t0: number): () => void {
  const timer = setInterval(() => {
    const done = sourceRecordsOut(job.metrics?.() ?? []);
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(
      `\r  ${(done / 1e6).toFixed(2)} M / ${(events / 1e6).toFixed(2)} M events ` +
        `(${Math.round((done / Math.max(1, events)) * 100)} %), ${s.toFixed(1)} s   `,
    );
  }, 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

/**
 * The Nexmark implementation lives in the repository's bench/ folder, which the npm package does
 * not ship: it is imported by a computed URL (so the library build does not compile it) and only
 * when a benchmark runs.
 */
function nexmarkModule(file: string): string {
  const url = new URL(`../../../bench/nexmark/eddy/${file}`, import.meta.url);
  if (!existsSync(url)) {
    throw usageError(
      'eddy bench needs a checkout of the Eddy repository (bench/ is not part of the npm package)',
      'clone the repository, run npm install there, then node bin/eddy.js bench nexmark --query q1',
    );
  }
  return url.href;
}

/** The runner of the whole suite (bench/nexmark/eddy/suite.ts). */
type RunSuite = (options: {
  readonly events: number;
  readonly parallelism: number;
  readonly flink: boolean;
  readonly runs: number;
  readonly idiomaticRuns: number | undefined;
  readonly warmup: number;
  readonly checkEvents: number;
  readonly queries: readonly string[] | undefined;
}) => Promise<number>;

/** `eddy bench`. */
export async function benchCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, benchFlags, 'bench');
  if (flags['help'] === true) {
    console.log(benchHelp);
    return 0;
  }
  if (positionals[0] !== 'nexmark') {
    throw usageError(
      positionals[0] === undefined
        ? 'eddy bench needs a benchmark name'
        : `unknown benchmark "${positionals[0]}"`,
      'eddy bench nexmark --query q1 (nexmark is the one benchmark)',
    );
  }
  const events = (flags['events'] as number | undefined) ?? 1_000_000;
  const parallelism = (flags['parallelism'] as number | undefined) ?? 1;
  if (!Number.isInteger(events) || events < 1) throw usageError('--events must be positive');
  if (!Number.isInteger(parallelism) || parallelism < 1)
    throw usageError('--parallelism must be a positive integer');
  for (const name of ['runs', 'idiomatic-runs'] as const) {
    const n = flags[name] as number | undefined;
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      throw usageError(`--${name} must be a positive integer`, `--${name} 3`);
  }
  if (flags['all'] === true) {
    const { runSuite } = (await import(nexmarkModule('suite.ts'))) as { runSuite: RunSuite };
    return runSuite({
      events,
      parallelism,
      flink: flags['flink'] === true,
      runs: (flags['runs'] as number | undefined) ?? 1,
      idiomaticRuns: flags['idiomatic-runs'] as number | undefined,
      warmup: (flags['warmup'] as number | undefined) ?? 0,
      checkEvents: (flags['check-events'] as number | undefined) ?? 100_000,
      queries: (flags['queries'] as string | undefined)?.split(',').filter((q) => q !== ''),
    });
  }
  const query = flags['query'] as string | undefined;
  if (query === undefined) throw usageError('--query is required', 'eddy bench nexmark --query q1');
  const { eddyQueries } = (await import(nexmarkModule('index.ts'))) as {
    eddyQueries: Readonly<Record<string, unknown>>;
  };
  if (!Object.hasOwn(eddyQueries, query)) {
    throw usageError(
      `unknown Nexmark query "${query}"`,
      `the queries are ${Object.keys(eddyQueries).join(', ')}`,
    );
  }
  const properties: Record<string, string> = {
    'nexmark.query': query,
    'nexmark.events': String(events),
    'nexmark.rate': String((flags['rate'] as number | undefined) ?? 10_000),
    'nexmark.seed': String((flags['seed'] as number | undefined) ?? 0),
  };
  const output = flags['output'] as string | undefined;
  if (output !== undefined) {
    mkdirSync(output, { recursive: true });
    properties['nexmark.output'] = output;
  }
  const json = flags['json'] === true;
  const jobFile = fileURLToPath(nexmarkModule('nexmark-job.ts'));
  const warmup = (flags['warmup'] as number | undefined) ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw usageError('--warmup must be a number of events (0 or more)');
  // A job file run by the CLI gets a new worker thread per slot for every job, even at -p 1
  // (ADR 0014), and each worker is a new V8 isolate that compiles everything again: a warm-up job
  // would warm a thread that is gone when the measured one starts. Flink's warm-up runs in the
  // JVM of the measured job; at -p 1 the equivalent is running both jobs on the main thread, at
  // -p > 1 handing the warm-up's threads to the measured job.
  const inProcess =
    flags['in-process'] === true || (parallelism === 1 && warmup > 0 && flags['threads'] !== true);
  const reuseThreads = warmup > 0 && !inProcess;
  if (reuseThreads) keepFinishedSlotWorkers(true);
  const runtime = {
    parallelism,
    ...(inProcess ? { runtimeMode: 'in-process' as const } : {}),
  };
  if (warmup > 0) {
    const warm: Record<string, string> = { ...properties, 'nexmark.events': String(warmup) };
    delete warm['nexmark.output'];
    const { jobs } = await loadJob(jobFile, 'run', { ...runtime, properties: warm });
    await (jobs[0] as JobClient).result;
  }
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let stop = (): void => {};
  const loading = loadJob(jobFile, 'run', { ...runtime, properties }, (client) => {
    // Measure from the sources' start: module loading and thread start-up are not throughput.
    void client.running?.then(() => {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      if (!json && process.stderr.isTTY) stop = progress(client, events, t0);
    });
  });
  const { jobs } = await loading;
  const job = jobs[0] as JobClient;
  let r;
  let seconds: number;
  let cpu: NodeJS.CpuUsage;
  try {
    r = await job.result;
    // Measured before the threads are let go: ending an isolate (freeing its heap) is not
    // throughput, and at a few million events it was a tenth of the measured CPU time.
    seconds = (performance.now() - t0) / 1000;
    cpu = process.cpuUsage(cpu0);
  } finally {
    stop();
    if (reuseThreads) {
      keepFinishedSlotWorkers(false);
      await discardWarmSlotWorkers();
    }
  }
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sink = r.operators.find((o) => o.name === 'sink');
  const result: BenchResult = {
    engine: 'eddy',
    query,
    events,
    parallelism,
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    outputCount: sink?.recordsIn ?? 0,
    eventsPerSecond: Math.round(events / seconds),
    eventsPerCpuSecond: Math.round(events / cpuSeconds),
  };
  if (json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  console.log(`nexmark ${query}: ${events} events, parallelism ${parallelism}`);
  console.log(`  events per second      ${result.eventsPerSecond.toLocaleString('en-US')}`);
  console.log(
    `  CPU seconds            ${result.cpuSeconds.toFixed(2)} (wall ${result.seconds.toFixed(2)} s)`,
  );
  console.log(`  events per CPU second  ${result.eventsPerCpuSecond.toLocaleString('en-US')}`);
  console.log(`  output records         ${result.outputCount.toLocaleString('en-US')}`);
  for (const op of r.operators) {
    if (op.backPressureLevel !== undefined && op.backPressureLevel !== 'OK')
      console.log(`  backpressure ${op.backPressureLevel.padEnd(5)} ${op.name}`);
  }
  return 0;
}
