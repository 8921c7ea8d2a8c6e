/**
 * Large-state benchmarks (issue 19). Run: `node --import tsx bench/large-state.ts
 * [--backend lmdb|heap] [--keys N] [--records N] [--runs N] [--state-memory BYTES]`.
 *
 * Records per second and per CPU second of DataGen → keyBy → reduce → blackhole over N keys (the
 * job runs in this process; CPU time is the process's user + system time, so it counts LMDB's
 * native work too). Prints one JSON line per run and the median.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BlackholeSink, StreamEnvironment } from '../src/index.ts';
import { DataGenSource } from '../src/connectors/datagen/datagen-source.ts';
import type { MemorySize } from '../src/util/memory-size.ts';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'lmdb' },
    keys: { type: 'string', default: '1000000' },
    records: { type: 'string', default: '3000000' },
    runs: { type: 'string', default: '3' },
    'state-memory': { type: 'string' },
  },
});
const keys = Number(args.keys);
const records = Number(args.records);
const backend = args.backend === 'heap' ? 'heap' : 'lmdb';
const root = mkdtempSync(join(tmpdir(), 'eddy-bench-large-state-'));

async function run(): Promise<{ rate: number; perCpuSecond: number }> {
  const env = StreamEnvironment.create({
    handleSignals: false,
    stateBackend: backend,
    stateDir: join(root, 'state'),
    ...(args['state-memory'] !== undefined ? { stateMemory: args['state-memory'] as MemorySize } : {}),
  });
  // A multiplicative hash spreads the keys like real traffic (not in ascending order).
  env
    .fromSource(
      new DataGenSource((i) => ({ k: (Math.imul(i, 2654435761) >>> 0) % keys, v: 1 }), {
        count: records,
      }),
    )
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .sinkTo(new BlackholeSink());
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await env.execute('bench-large-state');
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return { rate: records / wall, perCpuSecond: records / cpuS };
}

const rates: number[] = [];
const perCpu: number[] = [];
for (let i = 0; i < Number(args.runs); i++) {
  const r = await run();
  rates.push(r.rate);
  perCpu.push(r.perCpuSecond);
  console.log(JSON.stringify({ backend, keys, records, ...r }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `${backend} keyBy→reduce, ${keys} keys, ${records} records: median ${(median(rates) / 1e6).toFixed(3)} M records/s, ` +
    `${(median(perCpu) / 1e6).toFixed(3)} M records per CPU second (runs: ${rates.map((r) => (r / 1e6).toFixed(3)).join(', ')})`,
);
rmSync(root, { recursive: true, force: true });
