/**
 * LMDB write cost against the size of a write transaction (issue 19), the measurement behind the
 * LMDB backend's flush in groups of nearby keys (`src/state/lmdb/key-range-partition.ts`).
 *
 * Run: `node --import tsx bench/lmdb-flush-groups.ts [--keys 10000000] [--flush 140000]
 * [--group 0|N] [--writes N]`.
 *
 * Writes `--writes` entries (default: `--keys`) in the order of the large-state benchmark (a
 * multiplicative hash of the record index, so the first `--keys` writes insert) into a fresh LMDB
 * environment, `--flush` entries at a time, as the backend flushes its buffer: with `--group 0` in
 * one write transaction per flush, in the order given; with `--group N` bucketed into groups of
 * about N nearby keys, one transaction each. Prints the CPU microseconds per write for every ten
 * flushes: with one transaction per flush the cost grows with the tree (LMDB's dirty-page list is
 * a sorted array), with groups it stays low.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as Lmdb from 'lmdb';
import { partitionByKeyRange } from '../src/state/lmdb/key-range-partition.ts';

const usage = `usage: node --import tsx bench/lmdb-flush-groups.ts [--keys N] [--flush N] [--group 0|N] [--writes N]`;
let args;
try {
  args = parseArgs({
    strict: true,
    options: {
      keys: { type: 'string', default: '10000000' },
      flush: { type: 'string', default: '140000' },
      group: { type: 'string', default: '2000' },
      writes: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  console.error(`lmdb-flush-groups: ${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const count = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`lmdb-flush-groups: --${name} ${v}: an integer ≥ ${min}\n${usage}`);
    process.exit(2);
  }
  return n;
};
const keys = count('keys', args.keys, 1);
const flush = count('flush', args.flush, 1);
const group = count('group', args.group, 0);
const writes = count('writes', args.writes ?? args.keys, 1);

const { open } = createRequire(import.meta.url)('lmdb') as typeof Lmdb;
const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-flush-'));
const db = open<Buffer, string>({
  path: dir,
  noSync: true,
  encoding: 'binary',
  encoder: { encode: (v: Buffer) => v, decode: (b: Uint8Array) => b },
});
const value = Buffer.alloc(20, 7);
const cpu = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return u.user + u.system;
};
let since = process.cpuUsage();
let i = 0;
for (let flushes = 1; i < writes; flushes++) {
  const batch: string[] = [];
  for (let j = 0; j < flush && i < writes; j++, i++)
    batch.push(`reduce\u0000n${(Math.imul(i, 2654435761) >>> 0) % keys}`);
  if (group === 0) {
    db.transactionSync(() => {
      for (const k of batch) db.putSync(k, value);
    });
  } else {
    const { items, ends } = partitionByKeyRange(batch, batch, group);
    let from = 0;
    for (const to of ends) {
      db.transactionSync(() => {
        for (let j = from; j < to; j++) db.putSync(items[j] as string, value);
      });
      from = to;
    }
  }
  if (flushes % 10 === 0 || i >= writes) {
    console.log(
      `${i} writes: ${(cpu(since) / (flush * (flushes % 10 || 10))).toFixed(2)} µs per write (CPU)`,
    );
    since = process.cpuUsage();
  }
}
await db.close();
rmSync(dir, { recursive: true, force: true });
