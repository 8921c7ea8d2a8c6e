/**
 * `eddy bench nexmark --all`: every Eddy query against the loop baseline (and Flink), each run in
 * a fresh process, the median of `runs` runs per engine; then a smaller run per engine with
 * canonical outputs compared as multisets. Writes bench/results/<date>.json and .svg and prints
 * Eddy/loop and Eddy/Flink ratios of events per CPU second. Any output difference fails the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparableLines } from '../canonical.ts';
import { QUERY_NAMES } from '../loop/index.ts';
import { eddyQueries } from './index.ts';
import { throughputChart } from './throughput-chart.ts';

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  readonly events: number;
  readonly parallelism: number;
  readonly flink: boolean;
  readonly runs: number;
  readonly checkEvents: number;
  readonly queries: readonly string[] | undefined;
}

/** One engine's median result for one query. */
export interface EngineResult {
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
  readonly eventsPerCpuSecond: number;
  readonly outputCount: number;
}

/** One query's results. */
export interface QueryResult {
  readonly query: string;
  readonly eddy: EngineResult;
  readonly loop: EngineResult;
  readonly flink: EngineResult | undefined;
  readonly outputsAgree: boolean;
  readonly difference: string | undefined;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const flinkScript = join(root, 'bench/baselines/flink/run.sh');

function run(cmd: string, args: readonly string[]): Record<string, unknown> {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Record<string, unknown>;
}

function eddyArgs(q: string, events: number, p: number, output?: string): string[] {
  const args = [join(root, 'bin/eddy.js'), 'bench', 'nexmark', '--query', q];
  args.push('--events', String(events), '-p', String(p), '--json');
  if (output !== undefined) args.push('--output', output);
  return args;
}

function loopArgs(q: string, events: number, p: number, output?: string): string[] {
  const args = ['--import', 'tsx', join(root, 'bench/nexmark/loop/run.ts'), '--query', q];
  args.push('--events', String(events), '--parallelism', String(p));
  if (output !== undefined) args.push('--output', output);
  return args;
}

function flinkArgs(q: string, events: number, p: number, output?: string): string[] {
  const args = ['query', q, '--events', String(events), '--parallelism', String(p)];
  if (output !== undefined) args.push('--output', output);
  return args;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function measure(runs: number, once: () => Record<string, unknown>, events: number): EngineResult {
  const rs = Array.from({ length: runs }, once);
  const eps = rs.map((r) => events / Number(r['seconds']));
  const cpu = rs.map((r) => Number(r['cpuSeconds']));
  return {
    eventsPerSecond: Math.round(median(eps)),
    cpuSeconds: Number(median(cpu).toFixed(3)),
    eventsPerCpuSecond: Math.round(events / median(cpu)),
    outputCount: Number(rs[0]?.['outputCount'] ?? 0),
  };
}

function readLines(path: string): string[] {
  const files = path.endsWith('.jsonl') ? [path] : readdirSync(path).map((f) => join(path, f));
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0),
  );
}

function difference(query: string, a: string[], b: string[], names: string): string | undefined {
  const x = comparableLines(query, a);
  const y = comparableLines(query, b);
  const counts = new Map<string, number>();
  for (const l of x) counts.set(l, (counts.get(l) ?? 0) + 1);
  for (const l of y) counts.set(l, (counts.get(l) ?? 0) - 1);
  const diff = [...counts].filter(([, c]) => c !== 0);
  if (diff.length === 0) return undefined;
  const [line, c] = diff[0] as [string, number];
  return (
    `${names}: ${x.length} vs ${y.length} lines, ${diff.length} differ; e.g. ` +
    `${c > 0 ? 'only in the first' : 'only in the second'}: ${line.slice(0, 200)}`
  );
}

function ratio(a: number, b: number | undefined): string {
  return b === undefined || b === 0 ? '   –' : (a / b).toFixed(2).padStart(5);
}

/** Runs the suite; returns the exit code. */
export async function runSuite(o: SuiteOptions): Promise<number> {
  const queries = (o.queries ?? QUERY_NAMES).filter((q) => eddyQueries[q] !== undefined);
  const results: QueryResult[] = [];
  const node = process.execPath;
  for (const q of queries) {
    process.stderr.write(`[nexmark] ${q}: ${o.events} events, parallelism ${o.parallelism}\n`);
    const eddy = measure(o.runs, () => run(node, eddyArgs(q, o.events, o.parallelism)), o.events);
    const loop = measure(o.runs, () => run(node, loopArgs(q, o.events, o.parallelism)), o.events);
    const flink = o.flink
      ? measure(o.runs, () => run(flinkScript, flinkArgs(q, o.events, o.parallelism)), o.events)
      : undefined;
    // The correctness check: same events, canonical outputs compared as multisets.
    const dir = mkdtempSync(join(tmpdir(), `nexmark-${q}-`));
    let diff: string | undefined;
    try {
      const n = Math.min(o.checkEvents, o.events);
      run(node, eddyArgs(q, n, o.parallelism, join(dir, 'eddy')));
      run(node, loopArgs(q, n, o.parallelism, join(dir, 'loop.jsonl')));
      const eddyLines = readLines(join(dir, 'eddy'));
      diff = difference(q, eddyLines, readLines(join(dir, 'loop.jsonl')), 'eddy vs loop');
      if (o.flink) {
        run(flinkScript, flinkArgs(q, n, o.parallelism, join(dir, 'flink.jsonl')));
        diff ??= difference(q, eddyLines, readLines(join(dir, 'flink.jsonl')), 'eddy vs flink');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    results.push({
      query: q,
      eddy,
      loop,
      flink,
      outputsAgree: diff === undefined,
      difference: diff,
    });
  }

  console.log(
    `\nNexmark, ${o.events} events, parallelism ${o.parallelism}, median of ${o.runs} run(s); ` +
      'events per CPU second (all threads)\n',
  );
  console.log(
    'query   eddy ev/s  eddy ev/CPU-s  loop ev/CPU-s  flink ev/CPU-s  eddy/loop  eddy/flink  outputs',
  );
  for (const r of results) {
    console.log(
      `${r.query.padEnd(5)} ${String(r.eddy.eventsPerSecond).padStart(11)} ` +
        `${String(r.eddy.eventsPerCpuSecond).padStart(14)} ${String(r.loop.eventsPerCpuSecond).padStart(14)} ` +
        `${String(r.flink?.eventsPerCpuSecond ?? '–').padStart(15)} ` +
        `${ratio(r.eddy.eventsPerCpuSecond, r.loop.eventsPerCpuSecond).padStart(10)} ` +
        `${ratio(r.eddy.eventsPerCpuSecond, r.flink?.eventsPerCpuSecond).padStart(11)}  ` +
        `${r.outputsAgree ? 'agree' : 'DIFFER'}`,
    );
  }
  const date = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${date}-p${o.parallelism}`);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ date, events: o.events, parallelism: o.parallelism, runs: o.runs, results }, null, 2)}\n`,
  );
  writeFileSync(
    `${base}.svg`,
    throughputChart(results, `Nexmark, ${o.events} events, P=${o.parallelism}`),
  );
  console.log(`\nwrote ${base}.json and ${base}.svg`);
  const failed = results.filter((r) => !r.outputsAgree);
  for (const r of failed) console.error(`eddy: error: ${r.query} outputs differ — ${r.difference}`);
  return failed.length > 0 ? 1 : 0;
}
