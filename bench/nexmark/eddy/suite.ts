/**
 * `eddy bench nexmark --all`: every Eddy query against the loop baseline (and Flink: the idiomatic
 * job, the tuned one and, for q5 and q11, the tuned one with a hand-written operator), each run in
 * a fresh process, the engines' runs interleaved, the median (and range) of `runs` runs per
 * engine; then a smaller run per engine with canonical outputs compared as multisets. Writes
 * bench/results/<date>.json and .svg and prints Eddy/loop and Eddy/Flink ratios of events per CPU
 * second. Any output difference fails the run. `warmup` events run first in the same process for
 * Eddy, the loop and tuned Flink (not for idiomatic Flink, which stays today's cold job).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SLOT_SEMI_SPACE_MB } from '../../../src/runtime/parallel/slot-worker-thread.ts';
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
  /**
   * Runs of idiomatic Flink (at most `runs`): it takes 5–10× as long as the other engines, and
   * one run is enough for a column 2–10× behind Eddy; fewer runs make a 10 M-event table
   * affordable.
   */
  readonly idiomaticRuns?: number;
  readonly warmup: number;
  readonly checkEvents: number;
  readonly queries: readonly string[] | undefined;
}

/** One engine's median result for one query. */
export interface EngineResult {
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
  readonly eventsPerCpuSecond: number;
  /** The lowest and highest events per CPU second of the runs. */
  readonly range: readonly [number, number];
  readonly outputCount: number;
}

/** The Flink variants (bench/baselines/flink: NexmarkMain --variant). */
export type FlinkVariant = 'idiomatic' | 'tuned' | 'hand';

/** One query's results. */
export interface QueryResult {
  readonly query: string;
  readonly eddy: EngineResult;
  readonly loop: EngineResult;
  /** Flink's idiomatic job (Flink defaults, cold JVM). */
  readonly flink: EngineResult | undefined;
  /** Flink tuned: object reuse, no generic types, projections, fixed heap, warm-up. */
  readonly flinkTuned: EngineResult | undefined;
  /** Tuned Flink with a hand-written operator (q5: sliced windows, q11: session function). */
  readonly flinkHand: EngineResult | undefined;
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

/**
 * Node flags of the Eddy and loop runs, stated as the tuned Flink's JVM flags are: a fixed
 * nursery of the size a slot thread grows to ({@link SLOT_SEMI_SPACE_MB}), as `-Xms2g -Xmx2g`
 * fixes Flink's heap. Without `--min-semi-space-size` V8 starts the nursery at 1 MiB and grows it
 * with what survives scavenges, which takes longer than a run of a few seconds (ADR 0027).
 */
export const BENCH_NODE_FLAGS: readonly string[] = [
  `--min-semi-space-size=${SLOT_SEMI_SPACE_MB}`,
  `--max-semi-space-size=${SLOT_SEMI_SPACE_MB}`,
];

function eddyArgs(q: string, events: number, p: number, warmup: number, output?: string): string[] {
  const args = [...BENCH_NODE_FLAGS, join(root, 'bin/eddy.js'), 'bench', 'nexmark', '--query', q];
  args.push('--events', String(events), '-p', String(p), '--warmup', String(warmup), '--json');
  if (output !== undefined) args.push('--output', output);
  return args;
}

function loopArgs(q: string, events: number, p: number, warmup: number, output?: string): string[] {
  const args = [...BENCH_NODE_FLAGS, '--import', 'tsx', join(root, 'bench/nexmark/loop/run.ts')];
  args.push('--query', q);
  args.push('--events', String(events), '--parallelism', String(p), '--warmup', String(warmup));
  if (output !== undefined) args.push('--output', output);
  return args;
}

function flinkArgs(
  q: string,
  variant: FlinkVariant,
  events: number,
  p: number,
  warmup: number,
  output?: string,
): string[] {
  const args = ['query', q, '--variant', variant, '--events', String(events)];
  args.push('--parallelism', String(p), '--warmup', String(variant === 'idiomatic' ? 0 : warmup));
  if (output !== undefined) args.push('--output', output);
  return args;
}

/** Queries with a hand-written Flink operator (TunedQueries.HAND). */
const HAND_QUERIES: ReadonlySet<string> = new Set(['q5', 'q11']);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function summarize(rs: readonly Record<string, unknown>[], events: number): EngineResult {
  const eps = rs.map((r) => events / Number(r['seconds']));
  const cpu = rs.map((r) => Number(r['cpuSeconds']));
  const perCpu = cpu.map((c) => Math.round(events / c));
  return {
    eventsPerSecond: Math.round(median(eps)),
    cpuSeconds: Number(median(cpu).toFixed(3)),
    eventsPerCpuSecond: Math.round(events / median(cpu)),
    range: [Math.min(...perCpu), Math.max(...perCpu)],
    outputCount: Number(rs[0]?.['outputCount'] ?? 0),
  };
}

/**
 * Runs every engine `runs` times (those named in `fewer`, that many times: in the first rounds),
 * interleaved (e1 e2 … e1 e2 …) so that a change in the machine's load hits all engines alike,
 * and summarizes each engine's runs.
 */
function measureInterleaved(
  runs: number,
  engines: Readonly<Record<string, (() => Record<string, unknown>) | undefined>>,
  events: number,
  fewer: Readonly<Record<string, number>> = {},
): Record<string, EngineResult | undefined> {
  const got: Record<string, Record<string, unknown>[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, once] of Object.entries(engines)) {
      if (once !== undefined && i < (fewer[name] ?? runs)) (got[name] ??= []).push(once());
    }
  }
  const out: Record<string, EngineResult | undefined> = {};
  for (const name of Object.keys(engines)) {
    const rs = got[name];
    out[name] = rs === undefined ? undefined : summarize(rs, events);
  }
  return out;
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
  const idiomaticRuns = Math.max(1, Math.min(o.runs, o.idiomaticRuns ?? o.runs));
  for (const q of queries) {
    process.stderr.write(`[nexmark] ${q}: ${o.events} events, parallelism ${o.parallelism}\n`);
    const { events, parallelism: p, warmup } = o;
    const flinkRun = (v: FlinkVariant) => () =>
      run(flinkScript, flinkArgs(q, v, events, p, warmup));
    const m = measureInterleaved(
      o.runs,
      {
        eddy: () => run(node, eddyArgs(q, events, p, warmup)),
        loop: () => run(node, loopArgs(q, events, p, warmup)),
        flink: o.flink ? flinkRun('idiomatic') : undefined,
        flinkTuned: o.flink ? flinkRun('tuned') : undefined,
        flinkHand: o.flink && HAND_QUERIES.has(q) ? flinkRun('hand') : undefined,
      },
      events,
      { flink: idiomaticRuns },
    );
    const eddy = m['eddy'] as EngineResult;
    const loop = m['loop'] as EngineResult;
    // The correctness check: same events, canonical outputs compared as multisets.
    const dir = mkdtempSync(join(tmpdir(), `nexmark-${q}-`));
    let diff: string | undefined;
    try {
      const n = Math.min(o.checkEvents, o.events);
      run(node, eddyArgs(q, n, o.parallelism, 0, join(dir, 'eddy')));
      run(node, loopArgs(q, n, o.parallelism, 0, join(dir, 'loop.jsonl')));
      const eddyLines = readLines(join(dir, 'eddy'));
      diff = difference(q, eddyLines, readLines(join(dir, 'loop.jsonl')), 'eddy vs loop');
      const variants: FlinkVariant[] = !o.flink
        ? []
        : HAND_QUERIES.has(q)
          ? ['idiomatic', 'tuned', 'hand']
          : ['idiomatic', 'tuned'];
      for (const v of variants) {
        const file = join(dir, `flink-${v}.jsonl`);
        run(flinkScript, flinkArgs(q, v, n, o.parallelism, 0, file));
        diff ??= difference(q, eddyLines, readLines(file), `eddy vs flink ${v}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    results.push({
      query: q,
      eddy,
      loop,
      flink: m['flink'],
      flinkTuned: m['flinkTuned'],
      flinkHand: m['flinkHand'],
      outputsAgree: diff === undefined,
      difference: diff,
    });
  }

  console.log(
    `\nNexmark, ${o.events} events, parallelism ${o.parallelism}, median of ${o.runs} run(s)` +
      `${o.flink && idiomaticRuns < o.runs ? ` (idiomatic Flink: ${idiomaticRuns})` : ''}` +
      `${o.warmup > 0 ? `, warm-up ${o.warmup} events (not idiomatic Flink)` : ''}; ` +
      'events per CPU second (all threads); eddy/X = eddy ev/CPU-s ÷ X ev/CPU-s\n',
  );
  console.log(
    'query  eddy ev/CPU-s  loop ev/CPU-s  flink idiom.  flink tuned  flink hand  ' +
      'eddy/loop  eddy/idiom.  eddy/tuned  eddy/hand  outputs',
  );
  const n = (r: EngineResult | undefined, w: number): string =>
    String(r?.eventsPerCpuSecond ?? '–').padStart(w);
  for (const r of results) {
    const e = r.eddy.eventsPerCpuSecond;
    console.log(
      `${r.query.padEnd(5)} ${n(r.eddy, 14)} ${n(r.loop, 14)} ${n(r.flink, 13)} ` +
        `${n(r.flinkTuned, 12)} ${n(r.flinkHand, 11)} ` +
        `${ratio(e, r.loop.eventsPerCpuSecond).padStart(10)} ` +
        `${ratio(e, r.flink?.eventsPerCpuSecond).padStart(12)} ` +
        `${ratio(e, r.flinkTuned?.eventsPerCpuSecond).padStart(11)} ` +
        `${ratio(e, r.flinkHand?.eventsPerCpuSecond).padStart(10)}  ` +
        `${r.outputsAgree ? 'agree' : 'DIFFER'}`,
    );
  }
  const date = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${date}-p${o.parallelism}`);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ date, events: o.events, parallelism: o.parallelism, runs: o.runs, idiomaticRuns, warmup: o.warmup, results }, null, 2)}\n`,
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
