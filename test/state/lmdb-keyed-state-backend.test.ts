import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbKeyedStateBackend } from '../../src/state/lmdb/lmdb-keyed-state-backend.ts';
import { runConformance } from './keyed-state-backend.conformance.ts';
import { test } from 'node:test';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.ts';
import type { KeyGroupSnapshot, StateChanges } from '../../src/state/keyed-state-backend.ts';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../src/core/state-descriptor.ts';
import { mergeStateChanges } from '../../src/state/merge-state-changes.ts';
import { keyString, normalizeKey } from '../../src/state/key-groups.ts';
import {
  decodeStateChanges,
  encodeStateChanges,
} from '../../src/runtime/checkpoint/state-codec.ts';

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

test('a checkpoint holds the newest value of every change since the last confirmed one, also with more changes than one pass takes', async () => {
  const backend = new LmdbKeyedStateBackend({
    dir,
    operatorName: 'changes',
    cacheEntries: 1000,
    // More changes than this are read from the log in several passes.
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
    /** Takes snapshot `id`: whether it is full, and its entries as key → value. */
    const snapshot = async (id: number, full: boolean) => {
      // As a restore reads the file back (values written in their stored form decoded).
      const c = decodeStateChanges(encodeStateChanges(await backend.snapshotChanges(id, full)));
      assert.equal(c.full, full, `snapshot ${id} full`);
      const entries = new Map<unknown, unknown>();
      for (const g of c.groups)
        for (const st of g.states) st.keys.forEach((k, i) => entries.set(k, st.values[i]));
      const removed = c.removed.flatMap((r) => r.entryKeys);
      return { entries, removed };
    };
    const logFiles = () =>
      readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('changes-'));
    writeKeys(0, 100, 1);
    assert.equal((await snapshot(1, true)).entries.size, 100);
    backend.confirmCheckpoint(1);
    // 35 changes, then a checkpoint that never completes, then 5 more, a removal, and keys 0–9
    // again: the next checkpoint holds the newest of all of them, and is not a full one.
    writeKeys(0, 35, 2);
    assert.equal((await snapshot(2, false)).entries.size, 35);
    writeKeys(50, 55, 3);
    writeKeys(0, 10, 4);
    backend.setCurrentKey(20);
    v.clear();
    const third = await snapshot(3, false);
    assert.equal(third.entries.size, 39);
    for (let k = 0; k < 35; k++)
      if (k !== 20) assert.equal(third.entries.get(k), k < 10 ? 4 : 2, `key ${k}`);
    for (let k = 50; k < 55; k++) assert.equal(third.entries.get(k), 3);
    assert.deepEqual(third.removed, ['v\u0000n20']);
    // Segments 2 and 3 (1 went with its confirmation).
    assert.equal(logFiles().length, 2);
    backend.confirmCheckpoint(3);
    // Confirmed: their segments of the log are deleted, only new changes count.
    assert.equal(logFiles().length, 0);
    writeKeys(60, 62, 5);
    const fourth = await snapshot(4, false);
    assert.deepEqual(
      [...fourth.entries],
      [
        [60, 5],
        [61, 5],
      ],
    );
  } finally {
    backend.dispose();
  }
});

test('entries restored while changes are tracked are no change, and changes before the restore are kept', async () => {
  const source = new HeapKeyedStateBackend('source', 128);
  const counts = source.getValueState(new ValueStateDescriptor<number>('v'));
  for (let k = 100; k < 150; k++) {
    source.setCurrentKey(k);
    counts.update(k);
  }
  const backend = new LmdbKeyedStateBackend({ dir, operatorName: 'restore', cacheEntries: 20 });
  try {
    backend.startTrackingChanges();
    const v = backend.getValueState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey(1);
    v.update(1);
    // The state is registered, so the restore goes through the write buffer.
    backend.restore(source.snapshot());
    const c = decodeStateChanges(encodeStateChanges(await backend.snapshotChanges(1, false)));
    const keys = c.groups.flatMap((g) => g.states.flatMap((st) => st.keys));
    assert.deepEqual(keys, [1]);
    backend.setCurrentKey(120);
    assert.equal(v.value(), 120);
  } finally {
    backend.dispose();
  }
});

test('incremental checkpoint files keep values in their stored form, and read back equal to a savepoint of the same state', async () => {
  let now = 1000;
  const backend = new LmdbKeyedStateBackend({
    dir,
    operatorName: 'stored',
    cacheEntries: 7,
    clock: () => now,
  });
  try {
    backend.startTrackingChanges();
    const v = backend.getValueState(new ValueStateDescriptor<unknown>('v'));
    const m = backend.getMapState(new MapStateDescriptor<string, unknown>('m'));
    const ttl = backend.getValueState(
      new ValueStateDescriptor<number>('ttl', { ttl: { ttl: 100 } }),
    );
    // More record shapes than msgpack's 32 shared structures; values msgpack cannot round-trip
    // (the v8 fallback), bare numbers, keys stored beside the value (objects, a NUL-led string).
    const values: unknown[] = [
      ...Array.from({ length: 40 }, (_, i) => ({ [`f${i}`]: i, x: 'y' })),
      new Date(5),
      12n,
      -0,
      1.5,
      'text',
      [1, undefined, 3],
      new Map([['a', 1]]),
      { nested: { list: [1, 2, { deep: true }] } },
    ];
    const keys: unknown[] = values.map((_, i) =>
      i % 3 === 0 ? { user: `u${i}` } : i % 3 === 1 ? `\u0000k${i}` : i,
    );
    const writeAll = (round: number) => {
      keys.forEach((k, i) => {
        backend.setCurrentKey(k);
        backend.setCurrentNamespace(i % 4 === 0 ? `w${round}` : undefined);
        v.update(values[(i + round) % values.length]);
        backend.setCurrentNamespace(undefined);
        m.put(`f${round}`, values[i]);
        if (i % 5 === 0) ttl.update(i + round);
      });
    };
    const file = (c: StateChanges) => decodeStateChanges(encodeStateChanges(c));
    writeAll(0);
    const base = file(await backend.snapshotChanges(1, true));
    backend.confirmCheckpoint(1);
    assert.ok(
      base.groups.every((g) => g.states.every((st) => st.stored === undefined)),
      'read back decoded',
    );
    now += 50;
    writeAll(1);
    const change = file(await backend.snapshotChanges(2, false));
    const raw = await backend.snapshotChanges(3, false);
    assert.ok(
      raw.groups.some((g) =>
        g.states.some((st) => st.stored !== undefined && st.values.length === 0),
      ),
      'written in stored form',
    );
    /** Entries in a canonical order (a chain's merge keeps another order than a snapshot). */
    const rows = (groups: readonly KeyGroupSnapshot[]) =>
      groups
        .flatMap((g) =>
          g.states.flatMap((st) =>
            st.keys.map((k, i) => ({
              id: `${st.name}|${keyString(normalizeKey(k))}|${String(st.namespaces?.[i])}`,
              keyGroup: g.keyGroup,
              key: k,
              value: st.values[i],
              expiresAt: st.expiresAt?.[i],
            })),
          ),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    const merged = rows(mergeStateChanges([base, change]));
    // Both rounds' namespaced values, one unnamespaced value, the map and the TTL state per key.
    assert.ok(merged.length > 2 * keys.length, `${merged.length} entries`);
    assert.deepEqual(merged, rows(backend.snapshot()));
  } finally {
    backend.dispose();
  }
});

test('entries a chain restored straight into LMDB are taken out when no descriptor claims them, and the next incremental checkpoint removes them', async () => {
  const source = new HeapKeyedStateBackend('source', 128);
  const old = source.getValueState(new ValueStateDescriptor<number[]>('old-layout'));
  for (let i = 0; i < 30; i++) {
    source.setCurrentKey(i % 3 === 0 ? { user: i } : i);
    source.setCurrentNamespace(`0:${i}`);
    old.update([i]);
  }
  const b = new LmdbKeyedStateBackend({ dir, operatorName: 'taken', maxParallelism: 128 });
  try {
    b.startTrackingChanges();
    b.restoreChanges(
      { full: true, groups: source.snapshot(), removed: [] },
      { start: 0, end: 127 },
    );
    const taken = b.takeUnclaimedState('old-layout');
    const entries = taken.flatMap((st) =>
      st.keys.map((k, i) => JSON.stringify([k, st.namespaces?.[i], st.values[i]])),
    );
    const expected = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify([i % 3 === 0 ? { user: i } : i, `0:${i}`, [i]]),
    );
    assert.deepEqual(entries.sort(), expected.sort());
    assert.equal(b.size(), 0);
    assert.deepEqual(b.snapshot(), []);
    // The chain still holds them: the next checkpoint on top of it must say they are gone.
    const changes = await b.snapshotChanges(1, false);
    assert.equal(changes.removed.flatMap((r) => r.entryKeys).length, 30);
    assert.deepEqual(b.takeUnclaimedState('old-layout'), [], 'taken once');
  } finally {
    b.dispose();
  }
});
