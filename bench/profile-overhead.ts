/**
 * What a flame graph costs the job while it is sampled: the pipeline of
 * `bench/pipeline-throughput.ts` (datagen → map → filter → keyBy → reduce → blackhole, 1 M
 * records, in this thread) run alternately without a profile and under `startCpuProfile` — the
 * inspector session a slot opens for `POST …/job/flamegraph` — at 1000 µs (V8's default) and
 * 250 µs. Compares records per CPU second (every thread of the process, V8's sampler included),
 * per CPU second of the job's thread alone (what the sampled subtask pays), and per wall second;
 * prints the medians.
 *
 *   node --import tsx --conditions=eddy-source bench/profile-overhead.ts [--records 1000000] [--runs 5]
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { BlackholeSink, DataGenSource, StreamEnvironment } from '../src/index.ts';
import { startCpuProfile } from '../src/runtime/profiling/sample-cpu-profile.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const records = arg('records', 1_000_000);
const runs = arg('runs', 5);

interface Event {
  readonly id: number;
  readonly user: number;
  readonly value: number;
}

/**
 * CPU seconds of this thread (Linux: /proc/thread-self/stat, 10 ms ticks): the job's thread,
 * which pays for the signal V8's sampler sends it at each sample; the sampler's own thread and
 * the profile's processing thread run beside it.
 */
const threadCpuSeconds = () => {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function run(
  intervalUs: number | undefined,
): Promise<{ perThread: number; perCpu: number; perWall: number; samples: number }> {
  const env = StreamEnvironment.create({ handleSignals: false, runtimeMode: 'in-process' });
  env
    .fromSource(
      new DataGenSource((i): Event => ({ id: i, user: i % 1000, value: i % 100 }), {
        count: records,
      }),
    )
    .map((e) => ({ id: e.id, user: e.user, value: e.value * 2 }))
    .filter((e) => e.value % 3 !== 0)
    .keyBy((e) => e.user)
    .reduce((a, b) => ({ id: b.id, user: b.user, value: a.value + b.value }))
    .sinkTo(new BlackholeSink<Event>());
  const profile = intervalUs === undefined ? undefined : await startCpuProfile(intervalUs);
  const started = performance.now();
  const cpu = cpuSeconds();
  const thread = threadCpuSeconds();
  await env.execute('profile-overhead');
  const wall = (performance.now() - started) / 1000;
  const used = cpuSeconds() - cpu;
  const threadUsed = threadCpuSeconds() - thread;
  const samples = (await profile?.stop())?.samples?.length ?? 0;
  return {
    perThread: records / threadUsed,
    perCpu: records / used,
    perWall: records / wall,
    samples,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const modes: [string, number | undefined][] = [
  ['none', undefined],
  ['1000us', 1000],
  ['250us', 250],
];
await run(undefined); // warm-up
const results = new Map<
  string,
  { perThread: number[]; perCpu: number[]; perWall: number[]; samples: number[] }
>(modes.map(([m]) => [m, { perThread: [], perCpu: [], perWall: [], samples: [] }]));
for (let i = 0; i < runs; i++) {
  // Rotated, so no mode always runs first (after the previous runs' garbage).
  for (let k = 0; k < modes.length; k++) {
    const [name, interval] = modes[(i + k) % modes.length]!;
    const r = await run(interval);
    const into = results.get(name)!;
    into.perThread.push(r.perThread);
    into.perCpu.push(r.perCpu);
    into.perWall.push(r.perWall);
    into.samples.push(r.samples);
  }
}
const base = results.get('none')!;
for (const [name, r] of results) {
  const thread = median(r.perThread);
  const cpu = median(r.perCpu);
  const wall = median(r.perWall);
  const vs = (v: number, b: number) =>
    name === 'none' ? '' : ` (${(((b - v) / b) * 100).toFixed(1)} % fewer)`;
  console.log(
    `${name.padEnd(6)} ${Math.round(thread)} records/thread-CPU-s${vs(thread, median(base.perThread))}, ` +
      `${Math.round(cpu)} records/process-CPU-s${vs(cpu, median(base.perCpu))}, ` +
      `${Math.round(wall)} records/s${vs(wall, median(base.perWall))}, ${median(r.samples)} samples per run`,
  );
}
