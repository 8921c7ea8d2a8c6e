/**
 * Issue 2's benchmark: records per second through
 * `datagen → map → filter → keyBy → reduce → blackhole` at parallelism 1, side by side with a
 * hand-written JavaScript loop doing the same work on the same records, in one process.
 *
 *   node --import tsx bench/pipeline-throughput.ts [--records 5000000] [--runs 5] [--batch-size 1024]
 *
 * Prints one JSON line per run and a summary with medians and the Eddy/loop ratio.
 */
import { BlackholeSink, DataGenSource, StreamEnvironment } from '../src/index.ts';

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
// Alternate the two so that machine noise hits both alike; the first round warms up the JIT.
for (let r = 0; r <= runs; r++) {
  const l = loop();
  const e = await eddy();
  // The same job with operator chaining off: what fusion (ADR 0006) buys.
  const u = await eddy(false);
  if (l.outputs !== e.outputs || u.outputs !== e.outputs)
    throw new Error(`outputs differ: loop ${l.outputs}, eddy ${e.outputs}, unchained ${u.outputs}`);
  if (r === 0) continue;
  unchainedRates.push(records / u.seconds);
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
      unchainedPerSecond: Math.round(records / u.seconds),
      outputs: e.outputs,
    }),
  );
}
const lm = median(loopRates);
const em = median(eddyRates);
const lc = median(loopCpuRates);
const ec = median(eddyCpuRates);
console.log(
  `median of ${runs}: loop ${(lm / 1e6).toFixed(2)} M records/s, eddy ${(em / 1e6).toFixed(2)} M records/s, loop/eddy ${(lm / em).toFixed(2)}x; ` +
    `per CPU second: loop ${(lc / 1e6).toFixed(2)} M, eddy ${(ec / 1e6).toFixed(2)} M, loop/eddy ${(lc / ec).toFixed(2)}x (target <= 2x); ` +
    `eddy without operator chaining ${(median(unchainedRates) / 1e6).toFixed(2)} M records/s`,
);
