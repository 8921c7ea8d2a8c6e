/**
 * State benchmarks (issue 4). Run: `node --import tsx bench/state.ts [--keys N] [--big]
 * [--records N] [--overhead-seconds S] [--skip overhead,kill]`.
 *
 * 1. Checkpoint duration and size of `ValueState<number>` with N keys (default 1M; `--big` adds
 *    10M on heap) on heap and LMDB: the synchronous part at the barrier (snapshot + serialize),
 *    and the total including the durable write of the file.
 * 2. Records/s of a keyed aggregation (DataGen → keyBy → reduce → blackhole), heap vs LMDB.
 * 3. Throughput with 10 s checkpoints vs without (same job, 1M keys, `--overhead-seconds` long at
 *    ~3M records/s; each run in a fresh process, alternating, best of two).
 * 4. Time from SIGKILL to processing again with 1M keys of state (child process, restart from
 *    the latest checkpoint).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BlackholeSink, StreamEnvironment, type EnvironmentOptions } from '../src/index.ts';
import { DataGenSource } from '../src/connectors/datagen/datagen-source.ts';
import { LocalCheckpointStore } from '../src/runtime/checkpoint/local-checkpoint-store.ts';
import { encodeSubtaskState } from '../src/runtime/checkpoint/state-codec.ts';
import {
  createKeyedStateBackend,
  type StateBackendKind,
} from '../src/state/create-keyed-state-backend.ts';
import type { KeyGroupSnapshot } from '../src/state/keyed-state-backend.ts';
import { ValueStateDescriptor } from '../src/core/state-descriptor.ts';

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    big: { type: 'boolean', default: false },
    records: { type: 'string', default: '5000000' },
    'overhead-seconds': { type: 'string', default: '25' },
    skip: { type: 'string', default: '' },
    'overhead-child': { type: 'string' },
  },
});
const skip = new Set((args.skip ?? '').split(','));
const root = mkdtempSync(join(tmpdir(), 'eddy-bench-state-'));
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

async function checkpointCost(kind: StateBackendKind, keys: number): Promise<void> {
  const backend = createKeyedStateBackend({
    kind,
    operatorName: 'bench',
    maxParallelism: 128,
    dir: join(root, 'state'),
    clock: Date.now,
  });
  const s = backend.getValueState(new ValueStateDescriptor<number>('v'));
  const t0 = performance.now();
  for (let i = 0; i < keys; i++) {
    backend.setCurrentKey(i);
    s.update(i);
  }
  const fill = performance.now() - t0;
  const store = new LocalCheckpointStore(join(root, 'chk'));
  for (let round = 1; round <= 2; round++) {
    // As a checkpoint does: a backend with snapshotAsync only fixes its view at the barrier.
    const a = performance.now();
    const pending = backend.snapshotAsync?.();
    const sync =
      pending === undefined ? encodeSubtaskState({ keyGroups: backend.snapshot() }) : undefined;
    const b = performance.now();
    const data =
      sync ?? encodeSubtaskState({ keyGroups: await (pending as Promise<KeyGroupSnapshot[]>) });
    await store.write(`chk-${round}`, 'state', data);
    const c = performance.now();
    if (round === 2) {
      console.log(
        `checkpoint ${kind.padEnd(4)} ${String(keys).padStart(9)} keys: at barrier ${(b - a).toFixed(0)} ms, ` +
          `total ${(c - a).toFixed(0)} ms, ${mb(data.byteLength)} (fill ${(fill / 1000).toFixed(1)} s)`,
      );
    }
  }
  backend.dispose();
  rmSync(join(root, 'chk'), { recursive: true, force: true });
}

async function keyedAggregation(
  records: number,
  keys: number,
  options: EnvironmentOptions,
): Promise<{ rate: number; checkpoints: number }> {
  const env = StreamEnvironment.create({ handleSignals: false, ...options });
  env
    .fromSource(new DataGenSource((i) => ({ k: i % keys, v: 1 }), { count: records }))
    .uid('gen')
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum')
    .sinkTo(new BlackholeSink())
    .uid('sink');
  const client = env.executeAsync('bench-state');
  const result = await client.result;
  return {
    rate: records / (result.durationMs / 1000),
    checkpoints: client.checkpointStats().completed,
  };
}

async function recoveryTime(keys: number, backend: StateBackendKind): Promise<void> {
  const dir = mkdtempSync(join(root, 'recovery-'));
  const job = new URL('./state-recovery-job.ts', import.meta.url).pathname;
  const start = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, dir, String(keys), backend], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      for (const w of waiters.splice(0)) w();
    });
    const until = async (p: (l: string) => boolean) => {
      for (;;) {
        const hit = lines.find(p);
        if (hit !== undefined) return hit;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    return { child, until };
  };
  const first = start();
  await first.until((l) => l.startsWith('records') && Number(l.split(' ')[1]) >= keys);
  // Wait for two more completed checkpoints so the newest one holds every key.
  const completed = () =>
    readdirSync(join(dir, 'chk')).filter((d) => d.startsWith('chk-')).length > 0;
  await new Promise((r) => setTimeout(r, 4500));
  if (!completed()) throw new Error('no checkpoint completed');
  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  const second = start();
  const line = await second.until((l) => l.startsWith('first'));
  const back = Number(line.split(' ')[1]) - killedAt;
  second.child.kill('SIGKILL');
  const chk = readdirSync(join(dir, 'chk')).filter((d) => d.startsWith('chk-'));
  console.log(
    `recovery ${backend} ${keys} keys: SIGKILL → processing again in ${back} ms (restart of node + restore of ${chk.join(',')})`,
  );
}

/** Runs the 1M-key aggregation in a child process (`--overhead-child`). */
async function childRun(
  mode: 'with' | 'without',
  records: number,
): Promise<{ rate: number; checkpoints: number; durations: string }> {
  const self = new URL(import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', self, '--overhead-child', mode, '--records', String(records)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(text.trim().split('\n').at(-1) as string) as {
    rate: number;
    checkpoints: number;
    durations: string;
  };
}

if (args['overhead-child'] !== undefined) {
  const mode = args['overhead-child'];
  const env = StreamEnvironment.create({
    handleSignals: false,
    ...(mode === 'with'
      ? { checkpointInterval: '10s', checkpointDir: join(root, 'overhead-chk') }
      : {}),
  });
  const records = Number(args.records);
  env
    .fromSource(new DataGenSource((i) => ({ k: i % 1_000_000, v: 1 }), { count: records }))
    .uid('gen')
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum')
    .sinkTo(new BlackholeSink())
    .uid('sink');
  const client = env.executeAsync('overhead');
  const result = await client.result;
  const st = client.checkpointStats();
  console.log(
    JSON.stringify({
      rate: records / (result.durationMs / 1000),
      checkpoints: st.completed,
      durations: st.history.map((h) => h.durationMs.toFixed(0)).join(','),
    }),
  );
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

const keys = Number(args.keys);
console.log(`node ${process.version}, results in ms; temp dir ${root}`);
await checkpointCost('heap', keys);
await checkpointCost('lmdb', keys);
if (args.big) await checkpointCost('heap', 10 * keys);

const records = Number(args.records);
for (const kind of ['heap', 'lmdb'] as const) {
  const r = await keyedAggregation(records, 100_000, {
    stateBackend: kind,
    stateDir: join(root, 'state'),
  });
  console.log(
    `keyed aggregation ${kind}: ${(r.rate / 1e6).toFixed(2)} M records/s (${records} records, 100k keys)`,
  );
}

if (!skip.has('overhead')) {
  // Each run in a fresh process (no garbage from the previous run), alternating, two of each.
  const n = Math.round(3e6 * Number(args['overhead-seconds']));
  const rates: Record<'with' | 'without', number[]> = { with: [], without: [] };
  const pauses: string[] = [];
  for (const mode of ['without', 'with', 'without', 'with'] as const) {
    const out = await childRun(mode, n);
    rates[mode].push(out.rate);
    if (mode === 'with') pauses.push(`${out.checkpoints} checkpoints: ${out.durations}`);
  }
  const best = (xs: number[]) => Math.max(...xs);
  const overhead = (1 - best(rates.with) / best(rates.without)) * 100;
  console.log(
    `throughput, 1M keys, ${n} records, best of 2: without checkpoints ${(best(rates.without) / 1e6).toFixed(2)} M/s, ` +
      `with 10 s checkpoints ${(best(rates.with) / 1e6).toFixed(2)} M/s: overhead ${overhead.toFixed(1)}% ` +
      `(runs: without ${rates.without.map((r) => (r / 1e6).toFixed(2)).join(', ')}; with ${rates.with.map((r) => (r / 1e6).toFixed(2)).join(', ')}; ${pauses.join('; ')} ms incl. the final one)`,
  );
}

if (!skip.has('kill')) await recoveryTime(1_000_000, 'heap');
rmSync(root, { recursive: true, force: true });
