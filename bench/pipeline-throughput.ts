/**
 * Issue 2's benchmark: records per second through
 * `datagen → map → filter → keyBy → reduce → blackhole` at parallelism 1, side by side with a
 * hand-written JavaScript loop doing the same work on the same records, in one process.
 *
 *   node --import tsx bench/pipeline-throughput.ts [--records 5000000] [--runs 5] [--batch-size 1024]
 *
 * Prints one JSON line per run and a summary with medians and the Eddy/loop ratio, and writes the
 * medians and a bar chart to `bench/results/pipeline-throughput-<time>.{json,svg}`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlackholeSink, DataGenSource, StreamEnvironment } from '../src/index.ts';
import { groupedBarChart } from './charts/grouped-bar-chart.ts';

interface Event {
  readonly id: number;
  readonly user: number;
  readonly value: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const records = arg('records', 5_000_000);
const runs = arg('runs', 5);
const batchSize = arg('batch-size', 1024);

const generate = (i: number): Event => ({ id: i, user: i % 1000, value: i % 100 });

/** CPU seconds of this process so far (less sensitive than wall time to other load). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface RunResult {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly outputs: number;
}

/** The same work without an engine: generate, map, filter, keyed running sum, count outputs. */
function loop(): RunResult {
  const started = process.hrtime.bigint();
  const cpu = cpuSeconds();
  const sums = new Map<number, Event>();
  let outputs = 0;
  for (let i = 0; i < records; i++) {
    const e = generate(i);
    const m: Event = { id: e.id, user: e.user, value: e.value * 2 };
    if (m.value % 3 === 0) continue;
    const prev = sums.get(m.user);
    const next = prev === undefined ? m : { id: m.id, user: m.user, value: prev.value + m.value };
    sums.set(m.user, next);
    outputs++;
  }
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: cpuSeconds() - cpu,
    outputs,
  };
}

async function eddy(operatorChaining = true): Promise<RunResult> {
  const env = StreamEnvironment.create({ batchSize, handleSignals: false, operatorChaining });
  const sink = new BlackholeSink<Event>();
  env
    .fromSource(new DataGenSource(generate, { count: records }))
    .map((e) => ({ id: e.id, user: e.user, value: e.value * 2 }))
    .filter((e) => e.value % 3 !== 0)
    .keyBy((e) => e.user)
    .reduce((a, b) => ({ id: b.id, user: b.user, value: a.value + b.value }))
    .sinkTo(sink);
  const started = process.hrtime.bigint();
  const cpu = cpuSeconds();
  await env.execute('pipeline-throughput');
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: cpuSeconds() - cpu,
    outputs: sink.count,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const loopRates: number[] = [];
const eddyRates: number[] = [];
const loopCpuRates: number[] = [];
const eddyCpuRates: number[] = [];
const unchainedRates: number[] = [];
const unchainedCpuRates: number[] = [];
let expectedOutputs = 0;
// Alternate the two so that machine noise hits both alike; the first round warms up the JIT.
for (let r = 0; r <= runs; r++) {
  const l = loop();
  const e = await eddy();
  if (l.outputs !== e.outputs)
    throw new Error(`outputs differ: loop ${l.outputs}, eddy ${e.outputs}`);
  expectedOutputs = l.outputs;
  if (r === 0) continue;
  loopRates.push(records / l.seconds);
  eddyRates.push(records / e.seconds);
  loopCpuRates.push(records / l.cpuSeconds);
  eddyCpuRates.push(records / e.cpuSeconds);
  console.log(
    JSON.stringify({
      run: r,
      records,
      loopPerSecond: Math.round(records / l.seconds),
      eddyPerSecond: Math.round(records / e.seconds),
      loopPerCpuSecond: Math.round(records / l.cpuSeconds),
      eddyPerCpuSecond: Math.round(records / e.cpuSeconds),
      outputs: e.outputs,
    }),
  );
}
// The same job with operator chaining off: what fusion (ADR 0006) buys. Measured after the
// chained runs, never between them: a process runs one job shape, and V8 compiles the record
// path for what it has seen — an unchained job in between would make the source's records look
// as if they escaped into a batch and cost the chained job ~10 % it never pays in production.
for (let r = 0; r <= runs; r++) {
  const u = await eddy(false);
  if (u.outputs !== expectedOutputs) throw new Error(`unchained outputs differ: ${u.outputs}`);
  if (r === 0) continue;
  unchainedRates.push(records / u.seconds);
  unchainedCpuRates.push(records / u.cpuSeconds);
  process.stderr.write(
    `unchained run ${r}/${runs}: ${Math.round(records / u.seconds)} records/s\n`,
  );
}
const lm = median(loopRates);
const em = median(eddyRates);
const um = median(unchainedRates);
const lc = median(loopCpuRates);
const ec = median(eddyCpuRates);
const uc = median(unchainedCpuRates);
console.log(
  `median of ${runs}: loop ${(lm / 1e6).toFixed(2)} M records/s, eddy ${(em / 1e6).toFixed(2)} M records/s, loop/eddy ${(lm / em).toFixed(2)}x; ` +
    `per CPU second: loop ${(lc / 1e6).toFixed(2)} M, eddy ${(ec / 1e6).toFixed(2)} M, loop/eddy ${(lc / ec).toFixed(2)}x (target <= 2x); ` +
    `eddy without operator chaining ${(um / 1e6).toFixed(2)} M records/s`,
);

// The figures and a chart next to the other benchmark results.
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const base = join(
  fileURLToPath(new URL('./results/', import.meta.url)),
  `pipeline-throughput-${stamp}`,
);
mkdirSync(dirname(base), { recursive: true });
writeFileSync(
  `${base}.json`,
  `${JSON.stringify({ records, runs, batchSize, median: { loop: { perSecond: lm, perCpuSecond: lc }, eddy: { perSecond: em, perCpuSecond: ec }, unchained: { perSecond: um, perCpuSecond: uc } }, loopOverEddy: { wall: lm / em, cpu: lc / ec } }, null, 2)}\n`,
);
writeFileSync(
  `${base}.svg`,
  groupedBarChart({
    title: `datagen → map → filter → keyBy → reduce → blackhole, P=1, ${records} records (median of ${runs})`,
    series: [
      { name: 'hand-written loop', color: '#9aa5b1' },
      { name: 'eddy', color: '#2f6fdf' },
      { name: 'eddy, chaining off', color: '#a7c4f2' },
    ],
    groups: [
      {
        label: 'records/s',
        values: { 'hand-written loop': lm, eddy: em, 'eddy, chaining off': um },
      },
      {
        label: 'per CPU second',
        values: { 'hand-written loop': lc, eddy: ec, 'eddy, chaining off': uc },
      },
    ],
    format: (v) => `${(v / 1e6).toFixed(0)}M`,
  }),
);
console.log(`wrote ${base}.json and ${base}.svg`);
