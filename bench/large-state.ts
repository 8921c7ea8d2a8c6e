/**
 * Large-state benchmarks (issue 19). Run: `node --import tsx bench/large-state.ts
 * [--backend lmdb|heap] [--job reduce|window|mapstate] [--keys N] [--records N] [--runs N] [--state-memory BYTES]
 * [--value-bytes N] [--checkpoint-interval 10s] [--checkpoint [--changed 0.01]]`.
 *
 * Records per second and per CPU second of DataGen → keyBy → reduce → blackhole over N keys (the
 * job runs in this process; CPU time is the process's user + system time, so it counts LMDB's
 * native work too). Prints one JSON line per run (with the peak V8 heap and RSS, sampled every
 * 100 ms) and the median. `--value-bytes` adds a string of that size to every value: with
 * `node --max-old-space-size=64` the state can be made many times larger than the heap.
 * `--checkpoint-interval` checkpoints the job that often, incrementally, into a local directory
 * (as the Flink RocksDB baseline runs with incremental checkpoints every 10 s).
 *
 * `--checkpoint`: an LMDB backend with N `ValueState<number>` keys takes a full checkpoint (a new
 * base), then `--changed` of the keys (default 1 %) change and it takes an incremental one, each
 * serialized and written durably into a local checkpoint directory as a checkpoint does: time at
 * the barrier, total time and bytes of both (median of `--runs`). It also counts the 4 KiB pages
 * of LMDB's data file that differ after the change — what a checkpoint of copy-on-write pages
 * would have to write (ADR 0020).
 *
 * `--restore`: for the heap and the LMDB backend, N `ValueState<number>` keys (written in hashed
 * order) are checkpointed in full as a savepoint is (snapshot, serialize, durable write), read
 * back and restored into a new backend (read, checksum, deserialize, restore, register the state,
 * which loads it): wall and CPU milliseconds of both, median of `--runs`; a table, a JSON file and
 * a chart go to `bench/results/state-restore-<time>.*`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BlackholeSink,
  StreamEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
  type Context,
  type KeyedProcessFunction,
  type MapState,
} from '../src/index.ts';
import { DataGenSource } from '../src/connectors/datagen/datagen-source.ts';
import { toBytes, type MemorySize } from '../src/util/memory-size.ts';
import type { Duration } from '../src/util/duration.ts';
import { MapStateDescriptor, ValueStateDescriptor } from '../src/core/state-descriptor.ts';
import { LocalCheckpointStore } from '../src/runtime/checkpoint/local-checkpoint-store.ts';
import {
  decodeSubtaskState,
  encodeStateChanges,
  encodeSubtaskState,
} from '../src/runtime/checkpoint/state-codec.ts';
import { sha256 } from '../src/runtime/checkpoint/checkpoint-metadata.ts';
import {
  createKeyedStateBackend,
  type StateBackendKind,
} from '../src/state/create-keyed-state-backend.ts';
import { groupedBarChart } from './charts/grouped-bar-chart.ts';
import { LmdbKeyedStateBackend } from '../src/state/lmdb/lmdb-keyed-state-backend.ts';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'lmdb' },
    keys: { type: 'string', default: '1000000' },
    records: { type: 'string', default: '3000000' },
    runs: { type: 'string', default: '3' },
    'state-memory': { type: 'string' },
    checkpoint: { type: 'boolean', default: false },
    restore: { type: 'boolean', default: false },
    'value-bytes': { type: 'string', default: '0' },
    changed: { type: 'string', default: '0.01' },
    job: { type: 'string', default: 'reduce' },
    'checkpoint-interval': { type: 'string' },
  },
});
const keys = Number(args.keys);
const job = args.job ?? 'reduce';
if (!['reduce', 'window', 'mapstate'].includes(job))
  throw new Error(`--job ${job}: one of reduce, window, mapstate`);

/** A generated record. */
interface Gen {
  readonly k: number;
  readonly v: number;
  readonly pad: string;
  readonly ts: number;
}

/** Counts per key in a MapState of four fields (record i adds to field i % 4). */
class MapStateCounts implements KeyedProcessFunction<number, Gen, number> {
  private fields!: MapState<number, number>;
  open(ctx: Context<number>): void {
    this.fields = ctx.getMapState(new MapStateDescriptor<number, number>('fields'));
  }
  processElement(r: Gen, _ctx: Context<number>, out: Collector<number>): void {
    const f = r.ts & 3;
    const n = (this.fields.get(f) ?? 0) + r.v;
    this.fields.put(f, n);
    if ((r.ts & 1023) === 0) out.collect(n);
  }
}
const records = Number(args.records);
const backend = args.backend === 'heap' ? 'heap' : 'lmdb';
const root = mkdtempSync(join(tmpdir(), 'eddy-bench-large-state-'));

async function run(): Promise<{
  rate: number;
  perCpuSecond: number;
  peakHeapMiB: number;
  peakRssMiB: number;
}> {
  const env = StreamEnvironment.create({
    handleSignals: false,
    stateBackend: backend,
    stateDir: join(root, 'state'),
    ...(args['state-memory'] !== undefined
      ? { stateMemory: args['state-memory'] as MemorySize }
      : {}),
    ...(args['checkpoint-interval'] !== undefined
      ? {
          checkpointInterval: args['checkpoint-interval'] as Duration,
          checkpointDir: mkdtempSync(join(root, 'chk-')),
          incrementalCheckpoints: true,
        }
      : {}),
  });
  // A multiplicative hash spreads the keys like real traffic (not in ascending order).
  const pad = 'x'.repeat(Number(args['value-bytes']));
  const gen = new DataGenSource(
    (i) => ({ k: (Math.imul(i, 2654435761) >>> 0) % keys, v: 1, pad: `${i}${pad}`, ts: i }),
    { count: records },
  );
  if (job === 'window') {
    // Keyed tumbling event-time windows of 1/10 of the input (time = record index): every
    // key's accumulator lives through ten windows, as in the Flink job of the same name.
    env
      .fromSource(
        gen,
        WatermarkStrategy.forMonotonousTimestamps<Gen>().withTimestampAssigner((r) => r.ts),
      )
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(Math.max(1, Math.ceil(records / 10))))
      .reduce((a, b) => ({ k: a.k, v: a.v + b.v, pad: b.pad, ts: b.ts }))
      .sinkTo(new BlackholeSink());
  } else if (job === 'mapstate') {
    // A keyed process function with a MapState of four fields per key.
    env
      .fromSource(gen)
      .keyBy((r) => r.k)
      .process(new MapStateCounts())
      .sinkTo(new BlackholeSink());
  } else {
    env
      .fromSource(gen)
      .keyBy((r) => r.k)
      .reduce((a, b) => ({ k: a.k, v: a.v + b.v, pad: b.pad, ts: b.ts }))
      .sinkTo(new BlackholeSink());
  }
  let peakHeap = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await env.execute('bench-large-state');
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  return {
    rate: records / wall,
    perCpuSecond: records / cpuS,
    peakHeapMiB: Math.round(peakHeap / 1048576),
    peakRssMiB: Math.round(peakRss / 1048576),
  };
}

if (args.restore === true) {
  await checkpointAndRestore();
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

/** Wall and CPU milliseconds of `f`. */
async function timed<T>(f: () => T | Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
}

async function checkpointAndRestore(): Promise<void> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const store = new LocalCheckpointStore(join(root, 'restore-chk'));
  const result: Record<string, Record<string, number>> = {};
  for (const kind of ['heap', 'lmdb'] as StateBackendKind[]) {
    const samples: Record<string, number>[] = [];
    for (let run = 0; run < Number(args.runs); run++) {
      const make = () =>
        createKeyedStateBackend({
          kind,
          operatorName: 'bench',
          maxParallelism: 128,
          dir: join(root, 'state'),
          clock: Date.now,
          ...(args['state-memory'] !== undefined
            ? { memoryBytes: toBytes(args['state-memory']) }
            : {}),
        });
      const descriptor = new ValueStateDescriptor<number>('v');
      const backend = make();
      const s = backend.getValueState(descriptor);
      for (let i = 0; i < keys; i++) {
        backend.setCurrentKey((Math.imul(i, 2654435761) >>> 0) % keys);
        s.update(i);
      }
      const distinct = backend.size();
      const location = `run-${kind}-${run}`;
      const checkpoint = await timed(async () => {
        const groups = await (backend.snapshotAsync?.() ?? backend.snapshot());
        const data = encodeSubtaskState({ keyGroups: groups });
        await store.write(location, 'state', data);
        return data.byteLength;
      });
      backend.dispose();
      const restored = make();
      const restore = await timed(async () => {
        const data = await store.read(location, 'state');
        sha256(data);
        restored.restore(decodeSubtaskState(data).keyGroups ?? []);
        restored.getValueState(descriptor); // registering the state loads the restored entries
      });
      if (kind === 'heap' && restored.size() !== distinct) throw new Error('restore lost keys');
      restored.dispose();
      const row = {
        checkpointMs: checkpoint.ms,
        checkpointCpuMs: checkpoint.cpuMs,
        bytes: checkpoint.value,
        restoreMs: restore.ms,
        restoreCpuMs: restore.cpuMs,
      };
      console.log(JSON.stringify({ kind, keys, ...row }));
      samples.push(row);
    }
    result[kind] = Object.fromEntries(
      Object.keys(samples[0] ?? {}).map((k) => [k, Math.round(median(samples.map((x) => x[k]!)))]),
    );
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `full checkpoint and restore of ${keys} keys (median of ${args.runs}; load ${load}):`,
  );
  for (const [kind, r] of Object.entries(result)) {
    console.log(
      `  ${kind.padEnd(4)}  checkpoint ${r.checkpointMs} ms (${r.checkpointCpuMs} CPU-ms), ${(r.bytes! / 1048576).toFixed(1)} MiB   restore ${r.restoreMs} ms (${r.restoreCpuMs} CPU-ms)`,
    );
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `state-restore-${stamp}`);
  const machine = { cores: availableParallelism(), loadavg: loadavg() };
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ machine, keys, runs: Number(args.runs), result }, null, 2)}\n`,
  );
  writeFileSync(
    `${base}.svg`,
    groupedBarChart({
      title: `Full checkpoint and restore of ${keys} keys, CPU ms (median of ${args.runs})`,
      series: [
        { name: 'checkpoint', color: '#2f6fdf' },
        { name: 'restore', color: '#e0803a' },
      ],
      groups: Object.entries(result).map(([kind, r]) => ({
        label: kind,
        values: { checkpoint: r.checkpointCpuMs, restore: r.restoreCpuMs },
      })),
      format: (v) => `${v.toFixed(0)} ms`,
    }),
  );
  console.log(`wrote ${base}.json and ${base}.svg`);
}

if (args.checkpoint === true) {
  await checkpointCost();
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

async function checkpointCost(): Promise<void> {
  const changed = Number(args.changed);
  const store = new LocalCheckpointStore(join(root, 'chk'));
  const rows: string[] = [];
  for (let run = 0; run < Number(args.runs); run++) {
    const backend = new LmdbKeyedStateBackend({
      dir: join(root, 'state'),
      operatorName: 'bench',
      maxParallelism: 128,
      ...(args['state-memory'] !== undefined ? { memoryBytes: toBytes(args['state-memory']) } : {}),
    });
    backend.startTrackingChanges();
    const s = backend.getValueState(new ValueStateDescriptor<number>('v'));
    for (let i = 0; i < keys; i++) {
      backend.setCurrentKey(i);
      s.update(i);
    }
    const take = async (id: number, full: boolean) => {
      const a = performance.now();
      const pending = backend.snapshotChanges(id, full);
      const b = performance.now();
      const data = encodeStateChanges(await pending);
      await store.write('shared', `${id}-${run}`, data);
      const c = performance.now();
      backend.confirmCheckpoint(id);
      return { barrierMs: b - a, totalMs: c - a, bytes: data.byteLength };
    };
    const base = await take(1, true);
    const dataFile = join((backend as unknown as { path: string }).path, 'data.mdb');
    const before = readFileSync(dataFile);
    const n = Math.round(keys * changed);
    for (let j = 0; j < n; j++) {
      backend.setCurrentKey((Math.imul(j, 2654435761) >>> 0) % keys);
      s.update(-j);
    }
    const inc = await take(2, false);
    const after = readFileSync(dataFile);
    let pages = 0;
    const total = Math.ceil(Math.max(before.length, after.length) / 4096);
    for (let p = 0; p < total; p++) {
      const x = before.subarray(p * 4096, (p + 1) * 4096);
      const y = after.subarray(p * 4096, (p + 1) * 4096);
      if (!x.equals(y)) pages++;
    }
    backend.dispose();
    const row = {
      keys,
      changed: n,
      base,
      incremental: inc,
      lmdbPages: { total, differing: pages },
    };
    console.log(JSON.stringify(row));
    rows.push(
      `full ${base.totalMs.toFixed(0)} ms (${base.barrierMs.toFixed(0)} at the barrier) ${(base.bytes / 1048576).toFixed(1)} MiB; ` +
        `incremental ${inc.totalMs.toFixed(0)} ms (${inc.barrierMs.toFixed(0)} at the barrier) ${(inc.bytes / 1048576).toFixed(2)} MiB; ` +
        `LMDB pages differing ${pages} of ${total} (${((pages / total) * 100).toFixed(0)} %)`,
    );
  }
  console.log(
    `checkpoint of ${keys} keys, ${(changed * 100).toFixed(1)} % changed:\n  ${rows.join('\n  ')}`,
  );
}

const rates: number[] = [];
const perCpu: number[] = [];
for (let i = 0; i < Number(args.runs); i++) {
  const r = await run();
  rates.push(r.rate);
  perCpu.push(r.perCpuSecond);
  console.log(JSON.stringify({ backend, job, keys, records, ...r }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `${backend} ${job}, ${keys} keys, ${records} records: median ${(median(rates) / 1e6).toFixed(3)} M records/s, ` +
    `${(median(perCpu) / 1e6).toFixed(3)} M records per CPU second (runs: ${rates.map((r) => (r / 1e6).toFixed(3)).join(', ')})`,
);
rmSync(root, { recursive: true, force: true });
