import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbKeyedStateBackend } from '../../src/state/lmdb/lmdb-keyed-state-backend.ts';
import { runConformance } from './keyed-state-backend.conformance.ts';
import { test } from 'node:test';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.ts';
import type { KeyGroupSnapshot } from '../../src/state/keyed-state-backend.ts';
import { ListStateDescriptor, ValueStateDescriptor } from '../../src/core/state-descriptor.ts';

const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-test-'));
runConformance(
  'lmdb',
  ({ maxParallelism, clock }) =>
    new LmdbKeyedStateBackend({
      dir,
      operatorName: 'test',
      maxParallelism,
      clock,
      flushThreshold: 1000,
    }),
);

test('restored entries load into LMDB across write batches, whatever the batch boundaries', () => {
  const source = new HeapKeyedStateBackend('source', 128);
  const counts = source.getValueState(new ValueStateDescriptor<number>('count'));
  const lists = source.getListState(new ListStateDescriptor<string>('seen'));
  const keys = ['a', 7, { user: 'u1' }, '\u0000odd', 12.5, true];
  for (let i = 0; i < 300; i++) {
    const key = i < keys.length ? keys[i] : `k${i}`;
    source.setCurrentKey(key);
    counts.update(i);
    lists.add(`v${i}`);
  }
  const snap = source.snapshot();
  // Batches of 1, 7 (ends inside key groups) and more than everything.
  for (const restoreBatchEntries of [1, 7, 10_000]) {
    const b = new LmdbKeyedStateBackend({
      dir,
      operatorName: 'test',
      maxParallelism: 128,
      restoreBatchEntries,
    });
    b.restore(snap); // kept pending until the states are registered, then loaded
    const c = b.getValueState(new ValueStateDescriptor<number>('count'));
    const l = b.getListState(new ListStateDescriptor<string>('seen'));
    for (let i = 0; i < 300; i++) {
      b.setCurrentKey(i < keys.length ? keys[i] : `k${i}`);
      assert.equal(c.value(), i, `count of key ${i} (batch ${restoreBatchEntries})`);
      assert.deepEqual([...l.get()], [`v${i}`]);
    }
    assert.deepEqual(
      normalize(b.snapshot()),
      normalize(snap),
      `a snapshot of the restored backend equals the original (batch ${restoreBatchEntries})`,
    );
    b.dispose();
  }
});

/** Entries of a snapshot as sorted [state, key, value] triples (order across groups aside). */
function normalize(groups: readonly KeyGroupSnapshot[]): string[] {
  const out: string[] = [];
  for (const g of groups)
    for (const s of g.states)
      for (let i = 0; i < s.keys.length; i++)
        out.push(JSON.stringify([g.keyGroup, s.name, s.keys[i], s.values[i]]));
  return out.sort();
}

test('a chain restored straight into LMDB migrates an older schema version when the state registers, in chunks', () => {
  const source = new HeapKeyedStateBackend('source', 128);
  const v1 = source.getValueState(new ValueStateDescriptor<number>('count'));
  // More entries than one migration chunk (10,000), some with keys LMDB cannot give back.
  const keys: unknown[] = [];
  for (let i = 0; i < 25_000; i++) keys.push(i % 7 === 0 ? { user: i } : i % 3 === 0 ? `s${i}` : i);
  for (const [i, k] of keys.entries()) {
    source.setCurrentKey(k);
    v1.update(i);
  }
  const groups = source.snapshot();
  const b = new LmdbKeyedStateBackend({ dir, operatorName: 'streamed', maxParallelism: 128 });
  try {
    b.restoreChanges({ full: true, groups, removed: [] }, { start: 0, end: 127 });
    // Not registered yet: a snapshot saves the entries as they were, version 1.
    assert.ok(b.snapshot().every((g) => g.states.every((s) => s.version === 1)));
    const v2 = b.getValueState(
      new ValueStateDescriptor<string>('count', {
        version: 2,
        migrate: (v, from) => `v${from}:${String(v)}`,
      }),
    );
    for (const [i, k] of keys.entries()) {
      b.setCurrentKey(k);
      assert.equal(v2.value(), `v1:${i}`, `key ${JSON.stringify(k)}`);
    }
    assert.ok(b.snapshot().every((g) => g.states.every((s) => s.version === 2)));
    assert.equal(b.size(), keys.length);
  } finally {
    b.dispose();
  }
  // A state declared with another kind than it was saved with is refused when it registers.
  const c = new LmdbKeyedStateBackend({ dir, operatorName: 'streamed', maxParallelism: 128 });
  try {
    c.restoreChanges({ full: true, groups, removed: [] }, { start: 0, end: 127 });
    assert.throws(
      () => c.getListState(new ListStateDescriptor<number>('count')),
      /saved as value state but is now declared as list state/,
    );
  } finally {
    c.dispose();
  }
});

test('more changes than the heap tracks move to disk: checkpoints stay incremental and hold them all', async () => {
  const backend = new LmdbKeyedStateBackend({
    dir,
    operatorName: 'spill',
    cacheEntries: 1000,
    maxTrackedChanges: 10,
  });
  try {
    backend.startTrackingChanges();
    const v = backend.getValueState(new ValueStateDescriptor<number>('v'));
    const writeKeys = (from: number, to: number, value: number) => {
      for (let k = from; k < to; k++) {
        backend.setCurrentKey(k);
        v.update(value);
      }
    };
    /** Takes snapshot `id` and checks whether it is full and how many entries it holds. */
    const snapshot = async (id: number, full: boolean, entries: number) => {
      const c = await backend.snapshotChanges(id, full);
      assert.equal(c.full, full, `snapshot ${id} full`);
      const n = c.groups.flatMap((g) => g.states.flatMap((st) => st.keys)).length;
      assert.equal(n, entries, `entries of snapshot ${id}`);
    };
    writeKeys(0, 100, 1);
    await snapshot(1, true, 100);
    backend.confirmCheckpoint(1);
    // 35 changes (3 spills of 11, 2 on the heap), then a checkpoint that never completes, then 5
    // more: the next checkpoint holds all 40, and is not a full one.
    writeKeys(0, 35, 2);
    await snapshot(2, false, 35);
    writeKeys(50, 55, 3);
    await snapshot(3, false, 40);
    backend.confirmCheckpoint(3);
    // Confirmed: the spilled changes are gone, only new ones count.
    writeKeys(60, 62, 4);
    await snapshot(4, false, 2);
  } finally {
    backend.dispose();
  }
});
