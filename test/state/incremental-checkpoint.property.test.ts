/**
 * Incremental checkpoints against the full snapshot as the reference (issue 19, ADR 0020): random
 * writes, removals, namespaced entries, composite keys and map state on an LMDB backend with a
 * tiny cache (so entries are evicted and read back), interleaved with checkpoints of which some
 * never complete (their changes must then go into the next one). The chain of the last completed
 * checkpoint, merged, must equal a full snapshot taken at the same moment; and restored at
 * another parallelism, each new subtask must get the same state from the chain as from the full
 * snapshot. Snapshots come in parts of a random size (as a large state's do), and the chain is
 * also restored file by file straight into new LMDB backends (`restoreChanges`, as a restore
 * streams a chain larger than the heap): before and after the states are registered, each must
 * hold what the full snapshot gives it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { MapStateDescriptor, ValueStateDescriptor } from '../../src/core/state-descriptor.ts';
import { assignSubtaskState } from '../../src/runtime/checkpoint/state-assignment.ts';
import type { LoadedOperatorState } from '../../src/runtime/checkpoint/checkpoint-loader.ts';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.ts';
import { keyGroupRange, keyString, normalizeKey } from '../../src/state/key-groups.ts';
import type { KeyGroupSnapshot, StateChanges } from '../../src/state/keyed-state-backend.ts';
import { LmdbKeyedStateBackend } from '../../src/state/lmdb/lmdb-keyed-state-backend.ts';
import { mergeStateChanges } from '../../src/state/merge-state-changes.ts';
import {
  decodeStateChanges,
  encodeStateChanges,
} from '../../src/runtime/checkpoint/state-codec.ts';

const MAX_PARALLELISM = 16;
const dir = mkdtempSync(join(tmpdir(), 'eddy-incremental-'));

type Op =
  | {
      readonly op: 'put';
      readonly key: number;
      readonly ns: number | undefined;
      readonly value: number;
    }
  | { readonly op: 'remove'; readonly key: number; readonly ns: number | undefined }
  | { readonly op: 'map'; readonly key: number; readonly field: string; readonly value: number }
  | { readonly op: 'checkpoint'; readonly completes: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      key: fc.integer({ min: 0, max: 40 }),
      ns: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      value: fc.integer(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('remove' as const),
      key: fc.integer({ min: 0, max: 40 }),
      ns: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('map' as const),
      key: fc.integer({ min: 0, max: 10 }),
      field: fc.constantFrom('a', 'b', 'c'),
      value: fc.integer(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('checkpoint' as const), completes: fc.boolean() }),
  },
);

/** Composite keys for some entries: the raw key must come back from the stored form. */
function rawKey(k: number): unknown {
  return k % 5 === 0 ? { user: `u${k}`, n: k } : k % 3 === 0 ? `s${k}` : k;
}

/** A snapshot as sorted plain rows, comparable with deepEqual. */
function rows(groups: readonly KeyGroupSnapshot[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    for (const s of g.states) {
      for (let i = 0; i < s.keys.length; i++) {
        const v = s.values[i];
        out.push(
          JSON.stringify([
            g.keyGroup,
            s.name,
            s.kind,
            keyString(normalizeKey(s.keys[i])),
            s.namespaces?.[i] ?? null,
            v instanceof Map
              ? [...(v as Map<unknown, unknown>)].sort()
              : Array.isArray(v)
                ? [...(v as unknown[])].sort()
                : v,
          ]),
        );
      }
    }
  }
  return out.sort();
}

function restoredAt(groups: KeyGroupSnapshot[], index: number, parallelism: number): string[] {
  const saved: LoadedOperatorState = {
    meta: {
      key: 'uid:x',
      uid: 'x',
      nodeId: 1,
      name: 'x',
      kind: 'keyed-process',
      parallelism: 1,
      keyed: true,
      distribution: 'split',
      subtasks: [],
    },
    subtasks: [{ keyGroups: groups }],
  };
  const share = assignSubtaskState(saved, index, parallelism, MAX_PARALLELISM);
  const backend = new HeapKeyedStateBackend('x', MAX_PARALLELISM, () => 0);
  backend.restore(share.keyGroups ?? []);
  backend.getValueState(new ValueStateDescriptor<number>('v'));
  backend.getMapState(new MapStateDescriptor<string, number>('m'));
  return rows(backend.snapshot());
}

test('a chain of incremental checkpoints equals the full snapshot, also restored at another parallelism', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { minLength: 20, maxLength: 200, size: 'max' }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 400 }),
      // 5: more changes than tracked happen often, and snapshots turn full until a base is
      // confirmed (a base that failed once left the next checkpoint without the lost changes).
      fc.constantFrom(5, 1_000_000),
      async (ops, parallelism, partBytes, maxTrackedChanges) => {
        const backend = new LmdbKeyedStateBackend({
          dir,
          operatorName: 'prop',
          maxParallelism: MAX_PARALLELISM,
          cacheEntries: 1000, // the floor: with 40+ keys × 3 namespaces, evictions happen below
          maxTrackedChanges,
        });
        // Force evictions: a backend whose budget holds few entries.
        (backend as unknown as { capacity: number }).capacity = 8;
        try {
          backend.startTrackingChanges();
          const value = backend.getValueState(new ValueStateDescriptor<number>('v'));
          const map = backend.getMapState(new MapStateDescriptor<string, number>('m'));
          let confirmed: StateChanges[] | undefined;
          let id = 0;
          const checkpoint = async (completes: boolean) => {
            id++;
            const parts: StateChanges[] = [];
            // Each file as a restore reads it back (values the backend wrote as stored decoded).
            const file = (c: StateChanges) => decodeStateChanges(encodeStateChanges(c));
            const c = file(
              await backend.snapshotChanges(id, confirmed === undefined, {
                bytes: partBytes,
                write: async (part) => {
                  parts.push(file(part));
                },
              }),
            );
            for (const part of parts) assert.equal(part.full, c.full, 'parts of one snapshot');
            const files = [...parts, c];
            const chain = c.full || confirmed === undefined ? files : [...confirmed, ...files];
            if (completes) {
              confirmed = chain;
              backend.confirmCheckpoint(id);
            }
          };
          for (const o of ops) {
            if (o.op === 'checkpoint') {
              await checkpoint(o.completes);
              continue;
            }
            backend.setCurrentKey(rawKey(o.key));
            if (o.op === 'map') {
              backend.setCurrentNamespace(undefined);
              map.put(o.field, o.value);
              continue;
            }
            backend.setCurrentNamespace(o.ns);
            if (o.op === 'put') value.update(o.value);
            else value.clear();
          }
          await checkpoint(true);
          const merged = mergeStateChanges(confirmed as StateChanges[]);
          if (process.env['DBG'])
            console.log('chain', confirmed?.length, confirmed?.map((c) => c.removed.length).join());
          const full = backend.snapshot();
          assert.deepEqual(rows(merged), rows(full));
          for (let i = 0; i < parallelism; i++) {
            const expected = restoredAt(full, i, parallelism);
            assert.deepEqual(restoredAt(merged, i, parallelism), expected);
            const streamed = new LmdbKeyedStateBackend({
              dir,
              operatorName: 'streamed',
              maxParallelism: MAX_PARALLELISM,
            });
            try {
              const range = keyGroupRange(i, parallelism, MAX_PARALLELISM);
              for (const f of confirmed as StateChanges[]) streamed.restoreChanges(f, range);
              assert.deepEqual(rows(streamed.snapshot()), expected, 'streamed, unregistered');
              streamed.getValueState(new ValueStateDescriptor<number>('v'));
              streamed.getMapState(new MapStateDescriptor<string, number>('m'));
              assert.deepEqual(rows(streamed.snapshot()), expected, 'streamed, registered');
            } finally {
              streamed.dispose();
            }
          }
        } finally {
          backend.dispose();
        }
      },
    ),
    { numRuns: 60 },
  );
});
