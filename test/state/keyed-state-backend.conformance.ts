/**
 * The conformance suite every keyed state backend passes: state kinds, namespaces, composite keys,
 * snapshots by key group and restore (including into other key-group ranges), schema migration
 * and refusal, and state TTL. Each backend has a test file calling {@link runConformance}.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EddyError } from '../../src/errors/eddy-error.ts';
import { keyGroupRange } from '../../src/state/key-groups.ts';
import type { KeyGroupSnapshot, KeyedStateBackend } from '../../src/state/keyed-state-backend.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../src/core/state-descriptor.ts';

/** What a backend factory gets. */
export interface BackendFactoryOptions {
  readonly maxParallelism: number;
  /** Milliseconds now (tests move it for TTL). */
  readonly clock: () => number;
}

/** Runs the suite against backends made by `create`. */
export function runConformance(
  name: string,
  create: (options: BackendFactoryOptions) => KeyedStateBackend,
): void {
  let now = 1_000;
  const clock = () => now;
  const make = (maxParallelism = 128) => create({ maxParallelism, clock });

  describe(`${name} keyed state backend conformance`, () => {
    test('value state is per key, with default, update and clear', () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<number>('v', { defaultValue: 0 }));
      b.setCurrentKey('a');
      assert.equal(s.value(), 0);
      s.update(5);
      b.setCurrentKey('b');
      s.update(7);
      b.setCurrentKey('a');
      assert.equal(s.value(), 5);
      s.clear();
      assert.equal(s.value(), 0);
      b.setCurrentKey(1);
      assert.equal(s.value(), 0, 'number 1 and string "1" are different keys');
      b.dispose();
    });

    test('namespaces isolate state of the same key', () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<string>('ns'));
      b.setCurrentKey('k');
      b.setCurrentNamespace(10);
      s.update('ten');
      b.setCurrentNamespace('w');
      s.update('w');
      b.setCurrentNamespace(undefined);
      assert.equal(s.value(), undefined);
      b.setCurrentNamespace(10);
      assert.equal(s.value(), 'ten');
      b.dispose();
    });

    test('list, map, reducing and aggregating state', () => {
      const b = make();
      const l = b.getListState(new ListStateDescriptor<number>('l'));
      const m = b.getMapState(new MapStateDescriptor<string, number>('m'));
      const r = b.getReducingState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
      const a = b.getAggregatingState(
        new AggregatingStateDescriptor<number, [number, number], number>('a', {
          createAccumulator: () => [0, 0],
          add: (v, acc) => [acc[0] + v, acc[1] + 1],
          getResult: (acc) => acc[0] / acc[1],
        }),
      );
      b.setCurrentKey('k');
      l.add(1);
      l.addAll([2, 3]);
      const copy = l.get();
      copy.push(99);
      assert.deepEqual(l.get(), [1, 2, 3]);
      l.update([4]);
      assert.deepEqual(l.get(), [4]);
      m.put('x', 1);
      m.putAll([['y', 2]]);
      assert.equal(m.get('y'), 2);
      assert.ok(m.contains('x'));
      m.remove('x');
      assert.deepEqual([...m.entries()], [['y', 2]]);
      assert.equal(m.isEmpty(), false);
      r.add(2);
      r.add(3);
      assert.equal(r.get(), 5);
      a.add(2);
      a.add(4);
      assert.equal(a.get(), 3);
      b.setCurrentKey('other');
      assert.deepEqual(l.get(), []);
      assert.equal(m.isEmpty(), true);
      assert.equal(r.get(), undefined);
      b.dispose();
    });

    test('many keys (beyond any write buffer) read back', () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<number>('many'));
      for (let i = 0; i < 25_000; i++) {
        b.setCurrentKey(i);
        s.update(i * 2);
      }
      for (let i = 0; i < 25_000; i += 997) {
        b.setCurrentKey(i);
        assert.equal(s.value(), i * 2);
      }
      assert.equal(b.size(), 25_000);
      b.dispose();
    });

    test('snapshot and restore round-trip every kind, composite keys and namespaces', () => {
      const b = make();
      const v = b.getValueState(new ValueStateDescriptor<{ n: number }>('v'));
      const l = b.getListState(new ListStateDescriptor<string>('l'));
      const m = b.getMapState(new MapStateDescriptor<string, number>('m'));
      for (let i = 0; i < 200; i++) {
        b.setCurrentKey({ user: `u${i}`, region: i % 3 });
        v.update({ n: i });
        l.add(`a${i}`);
        b.setCurrentNamespace(i % 2);
        m.put('x', i);
        b.setCurrentNamespace(undefined);
      }
      const snap = b.snapshot();
      assert.ok(snap.length > 10, 'grouped by key group');
      const c = make();
      c.restore(snap); // before the states are registered: kept pending
      const v2 = c.getValueState(new ValueStateDescriptor<{ n: number }>('v'));
      const l2 = c.getListState(new ListStateDescriptor<string>('l'));
      const m2 = c.getMapState(new MapStateDescriptor<string, number>('m'));
      for (let i = 0; i < 200; i += 7) {
        c.setCurrentKey({ user: `u${i}`, region: i % 3 });
        assert.deepEqual(v2.value(), { n: i });
        assert.deepEqual(l2.get(), [`a${i}`]);
        c.setCurrentNamespace(i % 2);
        assert.equal(m2.get('x'), i);
        c.setCurrentNamespace(undefined);
      }
      const again = c.snapshot();
      assert.deepEqual(canonical(again), canonical(snap));
      b.dispose();
      c.dispose();
    });

    test('restored entries no descriptor claims are taken out whole, with keys and namespaces, once', () => {
      const b = make();
      const old = b.getValueState(new ValueStateDescriptor<number[]>('old-layout'));
      const kept = b.getValueState(new ValueStateDescriptor<number>('kept'));
      for (let i = 0; i < 50; i++) {
        b.setCurrentKey(i % 2 === 0 ? i : { user: i });
        b.setCurrentNamespace(`${i}:${i + 10}`);
        old.update([i, i + 1]);
        b.setCurrentNamespace(undefined);
        kept.update(i);
      }
      const c = make();
      c.restore(b.snapshot());
      const taken = c.takeUnclaimedState('old-layout');
      const entries = taken.flatMap((st) =>
        st.keys.map((k, i) => JSON.stringify([k, st.namespaces?.[i], st.values[i]])),
      );
      const expected = Array.from({ length: 50 }, (_, i) =>
        JSON.stringify([i % 2 === 0 ? i : { user: i }, `${i}:${i + 10}`, [i, i + 1]]),
      );
      assert.deepEqual(entries.sort(), expected.sort());
      assert.deepEqual(c.takeUnclaimedState('old-layout'), [], 'taken once');
      // Gone from the next snapshot; the other state is not touched.
      const names = new Set(c.snapshot().flatMap((g) => g.states.map((st) => st.name)));
      assert.deepEqual([...names], ['kept']);
      const kept2 = c.getValueState(new ValueStateDescriptor<number>('kept'));
      c.setCurrentKey(4);
      assert.equal(kept2.value(), 4);
      // A registered state is claimed: nothing to take.
      assert.deepEqual(c.takeUnclaimedState('kept'), []);
      b.dispose();
      c.dispose();
    });

    test('an async snapshot shows the state as it was when it was called', async () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<number>('async'));
      for (let i = 0; i < 30_000; i++) {
        b.setCurrentKey(i);
        s.update(1);
      }
      const pending = b.snapshotAsync?.() ?? Promise.resolve(b.snapshot());
      for (let i = 0; i < 30_000; i++) {
        b.setCurrentKey(i);
        s.update(2);
      }
      b.setCurrentKey('late');
      s.update(3);
      const snap = await pending;
      const values = snap.flatMap((g) => g.states.flatMap((st) => [...st.values]));
      assert.equal(values.length, 30_000);
      assert.ok(values.every((v) => v === 1));
      b.dispose();
    });

    test('key groups restore into the subtask that owns them (rescaling)', () => {
      const maxP = 16;
      const b = make(maxP);
      const s = b.getValueState(new ValueStateDescriptor<number>('c'));
      for (let i = 0; i < 500; i++) {
        b.setCurrentKey(`k${i}`);
        s.update(i);
      }
      const snap = b.snapshot();
      const parts = [0, 1, 2].map((i) => keyGroupRange(i, 3, maxP));
      let total = 0;
      for (const { start, end } of parts) {
        const c = make(maxP);
        c.restore(snap.filter((g) => g.keyGroup >= start && g.keyGroup <= end));
        c.getValueState(new ValueStateDescriptor<number>('c'));
        total += c.size();
        c.dispose();
      }
      assert.equal(total, 500);
      b.dispose();
    });

    test('schema versions: migrate older, refuse newer, missing migrate and kind changes', () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<number>('price'));
      b.setCurrentKey('a');
      s.update(12);
      const snap = b.snapshot();
      const c = make();
      c.restore(snap);
      const migrated = c.getValueState(
        new ValueStateDescriptor<{ cents: number }>('price', {
          version: 2,
          migrate: (old, from) => {
            assert.equal(from, 1);
            return { cents: (old as number) * 100 };
          },
        }),
      );
      c.setCurrentKey('a');
      assert.deepEqual(migrated.value(), { cents: 1200 });
      const v2 = c.snapshot();
      assert.equal(v2[0]?.states[0]?.version, 2);
      const refuse = (f: () => void, re: RegExp) =>
        assert.throws(f, (e: unknown) => e instanceof EddyError && re.test(e.message));
      const d = make();
      d.restore(v2);
      refuse(() => d.getValueState(new ValueStateDescriptor('price')), /newer than/);
      const e = make();
      e.restore(snap);
      refuse(
        () => e.getValueState(new ValueStateDescriptor('price', { version: 3 })),
        /without a migrate/,
      );
      const f = make();
      f.restore(snap);
      refuse(() => f.getListState(new ListStateDescriptor('price')), /saved as value state/);
      for (const x of [b, c, d, e, f]) x.dispose();
    });

    test('TTL on create and write: expired state is never returned nor saved', () => {
      const b = make();
      const s = b.getValueState(new ValueStateDescriptor<number>('ttl', { ttl: { ttl: 100 } }));
      const l = b.getListState(new ListStateDescriptor<number>('ttl-list', { ttl: { ttl: 100 } }));
      now = 1_000;
      b.setCurrentKey('a');
      s.update(1);
      l.add(1);
      b.setCurrentKey('b');
      s.update(2);
      now = 1_080;
      b.setCurrentKey('a');
      assert.equal(s.value(), 1); // a read does not refresh
      l.add(2); // a write refreshes
      now = 1_120;
      assert.equal(s.value(), undefined);
      assert.deepEqual(l.get(), [1, 2]);
      b.setCurrentKey('b');
      assert.equal(s.value(), undefined);
      const snap = b.snapshot();
      const names = snap.flatMap((g) => g.states.map((st) => st.name));
      assert.deepEqual([...new Set(names)], ['ttl-list']);
      now = 1_000;
      b.dispose();
    });

    test('TTL keeps running across snapshot and restore', () => {
      const d = new ValueStateDescriptor<number>('kept', { ttl: { ttl: 100 } });
      const b = make();
      const s = b.getValueState(d);
      now = 1_000;
      b.setCurrentKey('a');
      s.update(1);
      now = 1_050;
      b.setCurrentKey('b');
      s.update(2);
      const snap = b.snapshot();
      const c = make();
      c.restore(snap);
      const s2 = c.getValueState(d);
      now = 1_120;
      c.setCurrentKey('a');
      assert.equal(s2.value(), undefined, 'written at 1000, expired at 1100');
      c.setCurrentKey('b');
      assert.equal(s2.value(), 2);
      now = 1_000;
      b.dispose();
      c.dispose();
    });

    test('TTL on read and write: a read keeps the entry alive', () => {
      const b = make();
      const s = b.getValueState(
        new ValueStateDescriptor<number>('rw', {
          ttl: { ttl: 100, updateType: 'OnReadAndWrite' },
        }),
      );
      now = 1_000;
      b.setCurrentKey('a');
      s.update(1);
      for (let t = 1_050; t <= 1_400; t += 50) {
        now = t;
        assert.equal(s.value(), 1);
      }
      now = 1_600;
      assert.equal(s.value(), undefined);
      now = 1_000;
      b.dispose();
    });
  });
}

/** A snapshot as comparable plain data (entry order within a key group does not matter). */
function canonical(groups: readonly KeyGroupSnapshot[]): unknown {
  return groups.map((g) => ({
    keyGroup: g.keyGroup,
    states: [...g.states]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({
        ...s,
        keys: undefined,
        values: undefined,
        namespaces: undefined,
        expiresAt: undefined,
        entries: s.keys
          .map((k, i) => JSON.stringify([k, s.namespaces?.[i] ?? null, s.values[i]]))
          .sort(),
      })),
  }));
}
