import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckpointBarrier } from '../../src/runtime/checkpoint/checkpoint-barrier.ts';
import { InputGate, type CheckpointingMode } from '../../src/runtime/input-gate.ts';
import { RecordBatch } from '../../src/runtime/record-batch.ts';

function setup(mode: CheckpointingMode) {
  const log: string[] = [];
  const gate = new InputGate({
    processBatch: (b) => log.push(`batch ${b.values.slice(0, b.size).join(',')}`),
    processWatermark: (w) => log.push(`wm ${w}`),
    processIdle: () => {},
    endInput: () => log.push('end'),
    wrapFailure: (e) => e as Error,
  });
  const a = gate.addChannel(0);
  const b = gate.addChannel(0);
  gate.seal();
  gate.mode = mode;
  gate.onBarrier = (barrier) => log.push(`snapshot ${barrier.id}`);
  const batch = new RecordBatch();
  const send = (ch: typeof a, ...values: number[]) => {
    batch.size = 0;
    for (const v of values) batch.push(v, Number.NaN);
    ch.pushBatch(batch);
  };
  return { log, a, b, send };
}

const barrier = (id: number): CheckpointBarrier => ({ id, timestamp: 0, savepoint: false });

test('exactly-once: a channel past the barrier is held back until all channels delivered it', () => {
  const { log, a, b, send } = setup('exactly-once');
  send(a, 1);
  a.pushBarrier(barrier(1));
  send(a, 2); // after the barrier: must wait (and is copied: the producer reuses its batch)
  send(b, 3);
  b.pushBarrier(barrier(1));
  send(b, 4);
  a.pushEnd();
  b.pushEnd();
  assert.deepEqual(log, ['batch 1', 'batch 3', 'snapshot 1', 'batch 2', 'batch 4', 'end']);
});

test('at-least-once: nothing is held back; the snapshot follows the last barrier', () => {
  const { log, a, b, send } = setup('at-least-once');
  a.pushBarrier(barrier(1));
  send(a, 2);
  b.pushBarrier(barrier(1));
  send(b, 4);
  assert.deepEqual(log, ['batch 2', 'snapshot 1', 'batch 4']);
});

test('an ended channel counts as aligned', () => {
  const { log, a, b, send } = setup('exactly-once');
  a.pushBarrier(barrier(1));
  send(a, 2);
  b.pushEnd();
  assert.deepEqual(log, ['snapshot 1', 'batch 2']);
});

test('a newer barrier aborts an alignment that never completed', () => {
  const { log, a, b, send } = setup('exactly-once');
  a.pushBarrier(barrier(1));
  send(a, 2);
  b.pushBarrier(barrier(2)); // checkpoint 1 was aborted upstream of b
  assert.deepEqual(log, ['batch 2']);
  a.pushBarrier(barrier(2));
  assert.deepEqual(log, ['batch 2', 'snapshot 2']);
});
