import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueStateDescriptor } from '../../src/core/state-descriptor.ts';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.ts';
import { runConformance } from './keyed-state-backend.conformance.ts';

runConformance(
  'heap',
  ({ maxParallelism, clock }) => new HeapKeyedStateBackend('test', maxParallelism, clock),
);

test('heap: namespaced state cleared without checkpoints keeps its remembered composite keys bounded', () => {
  const backend = new HeapKeyedStateBackend('test');
  const sum = backend.getValueState(new ValueStateDescriptor<number>('sum'));
  // A window job without checkpoints: every key gets a window, which fires and is purged.
  for (let i = 0; i < 100_000; i++) {
    backend.setCurrentKey(i % 1000);
    backend.setCurrentNamespace(`${i}:${i + 10}`);
    sum.update(i);
    sum.clear();
  }
  // One live window per key at most, plus the amortization slack.
  assert.ok(backend.compositeKeyCount <= 10_000, `${backend.compositeKeyCount} remembered`);
  // What is live still snapshots with its key and namespace.
  backend.setCurrentKey(7);
  backend.setCurrentNamespace('live');
  sum.update(42);
  const entries = backend
    .snapshot()
    .flatMap((g) => g.states.flatMap((s) => s.keys.map((k, i) => [k, s.namespaces?.[i]])));
  assert.deepEqual(entries, [[7, 'live']]);
});

test('heap: object keys whose state was cleared are not remembered without bound', () => {
  const backend = new HeapKeyedStateBackend('test');
  const seen = backend.getValueState(new ValueStateDescriptor<boolean>('seen'));
  for (let i = 0; i < 100_000; i++) {
    backend.setCurrentKey({ user: i, page: 'home' });
    seen.update(true);
    seen.clear();
  }
  assert.ok(backend.rawKeys.size <= 10_000, `${backend.rawKeys.size} raw keys remembered`);
  // A live object key still snapshots as the user's object.
  backend.setCurrentKey({ user: 7, page: 'home' });
  seen.update(true);
  const keys = backend.snapshot().flatMap((g) => g.states.flatMap((s) => s.keys));
  assert.deepEqual(keys, [{ user: 7, page: 'home' }]);
});
