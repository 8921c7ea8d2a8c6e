import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeKey } from '../../state/key-groups.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { decodeSubtaskState, encodeSubtaskState } from './state-codec.ts';
import { fromTimerColumns, toTimerColumns } from './timer-columns.ts';

const rawKey = fc.oneof(
  fc.integer(),
  fc.constantFrom(-0, 0, 1.5, Number.MAX_VALUE),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 4 }).map((s) => `\u0000${s}`),
  fc.boolean(),
  // A plain object, as a key selector builds one (fast-check's records have no prototype).
  fc.record({ id: fc.integer(), region: fc.string({ maxLength: 3 }) }).map((r) => ({ ...r })),
);
const timer = fc
  .record({
    raw: rawKey,
    namespace: fc.option(fc.oneof(fc.integer(), fc.string({ maxLength: 6 })), {
      nil: undefined,
    }),
    // Few distinct timestamps, as in window jobs, and runs of them broken up.
    timestamp: fc.oneof(fc.constantFrom(999, 1999, -0, 0), fc.integer()),
  })
  .map(({ raw, namespace, timestamp }): TimerEntry => ({
    key: normalizeKey(raw),
    rawKey: raw,
    namespace,
    timestamp,
  }));

/** Timers compared exactly: -0 is not 0, an object key is the same object shape. */
function same(a: readonly TimerEntry[], b: readonly TimerEntry[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    const y = b[i] as TimerEntry;
    assert.ok(Object.is(x.timestamp, y.timestamp), `timestamp ${i}`);
    assert.ok(Object.is(x.key, y.key), `key ${i}`);
    assert.deepEqual(x.rawKey, y.rawKey, `raw key ${i}`);
    if (typeof x.rawKey === 'number') assert.ok(Object.is(x.rawKey, y.rawKey), `raw key ${i}`);
    assert.equal(x.namespace, y.namespace, `namespace ${i}`);
  });
}

test('timers go through a checkpoint file as columns and come back as they were, in order', () => {
  fc.assert(
    fc.property(
      fc.array(timer, { maxLength: 80 }),
      fc.array(timer, { maxLength: 20 }),
      (ev, pr) => {
        const back = decodeSubtaskState(
          encodeSubtaskState({ timers: { eventTime: ev, processingTime: pr } }),
        );
        same(back.timers?.eventTime ?? [], ev);
        same(back.timers?.processingTime ?? [], pr);
      },
    ),
    { numRuns: 300 },
  );
});

test('timers that share a timestamp take one run, and keys that are their own raw key are stored once', () => {
  const timers: TimerEntry[] = [];
  for (let k = 0; k < 1000; k++)
    timers.push({ key: k, rawKey: k, namespace: undefined, timestamp: k < 600 ? 1999 : 3999 });
  const c = toTimerColumns(timers);
  assert.deepEqual(c.times, [1999, 3999]);
  assert.deepEqual(c.runs, [600, 400]);
  assert.deepEqual(c.rawKeys, []);
  assert.equal(c.namespaces, undefined);
  // Much smaller than one object per timer, which is what makes a checkpoint of many cheap.
  const asObjects = serialize({ eventTime: timers }).byteLength;
  assert.ok(
    encodeSubtaskState({ timers: { eventTime: timers, processingTime: [] } }).byteLength <
      asObjects / 2,
  );
});

test('a file with timers as objects (written before the columns) still reads', () => {
  const old = serialize({
    timers: {
      eventTime: [{ key: 7, rawKey: 7, namespace: 'w', timestamp: 99 }],
      processingTime: [],
    },
  });
  assert.deepEqual(decodeSubtaskState(old).timers?.eventTime, [
    { key: 7, rawKey: 7, namespace: 'w', timestamp: 99 },
  ]);
});

test('columns that do not fit together are a clear error naming the column', () => {
  const bad = (eventTime: unknown) =>
    decodeSubtaskState(serialize({ timers: { eventTime, processingTime: [] } }));
  const ok = toTimerColumns([{ key: 1, rawKey: 1, namespace: undefined, timestamp: 5 }]);
  assert.throws(() => bad({ ...ok, keys: 'x' }), /timers\.eventTime\.keys is not a list/);
  assert.throws(
    () => bad({ ...ok, runs: [2] }),
    /timers\.eventTime: the runs hold more than the 1 timers/,
  );
  assert.throws(() => bad({ ...ok, runs: [] }), /times and runs differ in length/);
  assert.throws(() => bad({ ...ok, keys: [1, 2] }), /the runs hold 1 of the 2 timers/);
  assert.throws(() => bad({ ...ok, rawKeys: [0] }), /pairs/);
  assert.throws(() => bad({ ...ok, namespaces: [] }), /0 namespaces for 1 timers/);
  assert.throws(() => fromTimerColumns({ ...ok, runs: [0] }), /no length/);
});
