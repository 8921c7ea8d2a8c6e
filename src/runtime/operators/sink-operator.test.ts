import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRuntimeProperties } from '../../core/create-runtime-properties.ts';
import type { Sink, SinkWriter } from '../../core/connector-spi.ts';
import { MetricsRegistry } from '../../metrics/metrics-registry.ts';
import { ManualClock } from '../../testing/manual-clock.ts';
import { Emitter } from '../emitter.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { RecordBatch } from '../record-batch.ts';
import { SinkOperator } from './sink-operator.ts';

/** A two-phase-commit sink whose commits the test resolves or fails by hand. */
class ManualCommitSink implements Sink<number> {
  readonly name = 'manual-commit';
  readonly committed = new Map<number, readonly number[]>();
  /** Commits in flight: resolve or reject each. */
  readonly inFlight: { txns: number[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  private nextTxn = 1;
  describe() {
    return { kind: 'manual-commit' };
  }
  createWriter(): SinkWriter<number, { txn: number; values: readonly number[] }> {
    let buffer: number[] = [];
    return {
      write: (values, _ts, count) => {
        for (let i = 0; i < count; i++) buffer.push(values[i] as number);
      },
      preCommit: () => {
        const t = { txn: this.nextTxn++, values: buffer };
        buffer = [];
        return [t];
      },
      commit: (txns) =>
        new Promise<void>((resolve, reject) => {
          this.inFlight.push({
            txns: txns.map((t) => t.txn),
            resolve: () => {
              for (const t of txns) this.committed.set(t.txn, t.values);
              resolve();
            },
            reject,
          });
        }),
    };
  }
}

function sinkOperator(sink: Sink<number>, blockers: Promise<void>[]): SinkOperator {
  const setup: OperatorSetup<'sink'> = {
    jobName: 'test',
    node: {
      id: 1,
      kind: 'sink',
      name: 'manual-commit',
      uid: 'sink',
      parallelism: 1,
      keyed: false,
      inputs: 1,
      sideOutputs: [],
      definedAt: undefined,
      config: {},
      chaining: 'always',
    },
    binding: { kind: 'sink', settings: { sink: sink as Sink<unknown> } },
    subtaskIndex: 0,
    parallelism: 1,
    maxParallelism: 128,
    attempt: 0,
    output: new Emitter(16),
    sideOutputs: new Map(),
    metrics: new MetricsRegistry().group({}),
    properties: createRuntimeProperties({}),
    clock: new ManualClock(0),
    batchSize: 16,
    autoWatermarkInterval: 200,
    failOnMalformedInput: false,
    stateBackend: 'heap',
    stateDir: undefined,
    checkpointing: true,
    runAction: (action) => action(),
    addBlocker: (p) => {
      // Failures surface when the runtime awaits its blockers; keep them from going unhandled.
      p.catch(() => undefined);
      blockers.push(p);
    },
    signal: new AbortController().signal,
  };
  return new SinkOperator(setup);
}

function batch(...values: number[]): RecordBatch {
  const b = new RecordBatch();
  for (const v of values) b.push(v, Number.NaN);
  return b;
}

test('a committable whose commit has not succeeded stays in later snapshots, so a restore commits it', async () => {
  const sink = new ManualCommitSink();
  const blockers: Promise<void>[] = [];
  const op = sinkOperator(sink, blockers);
  await op.open();
  op.processBatch(batch(1, 2));
  assert.deepEqual(
    (op.snapshotOperatorState(1) as { txn: number }[]).map((t) => t.txn),
    [1],
  );
  // Checkpoint 1 completes: its commit starts and hangs (the broker is away).
  op.notifyCheckpointComplete(1);
  assert.deepEqual(sink.inFlight[0]?.txns, [1]);
  // Checkpoint 2 is taken meanwhile: it must still carry transaction 1.
  op.processBatch(batch(3));
  const state2 = op.snapshotOperatorState(2) as { txn: number }[];
  assert.deepEqual(
    state2.map((t) => t.txn),
    [1, 2],
  );
  // Transaction 1's commit fails; the job restarts from checkpoint 2.
  sink.inFlight[0]?.reject(new Error('NOT_COORDINATOR'));
  await Promise.allSettled(blockers);
  const restored = sinkOperator(sink, []);
  restored.restoreOperatorState(state2);
  const opened = restored.open();
  sink.inFlight[1]?.resolve();
  await opened;
  assert.deepEqual([...sink.committed.keys()].sort(), [1, 2]);
  assert.deepEqual(sink.committed.get(1), [1, 2]);
});

test('a committable leaves the snapshots once its commit succeeded', async () => {
  const sink = new ManualCommitSink();
  const op = sinkOperator(sink, []);
  await op.open();
  op.processBatch(batch(1));
  op.snapshotOperatorState(1);
  op.notifyCheckpointComplete(1);
  sink.inFlight[0]?.resolve();
  await new Promise((r) => setImmediate(r));
  op.processBatch(batch(2));
  assert.deepEqual(
    (op.snapshotOperatorState(2) as { txn: number }[]).map((t) => t.txn),
    [2],
  );
});

test("a sink's committables are restored split by default, or to every subtask when it asks for union", () => {
  const split = new ManualCommitSink();
  assert.equal(sinkOperator(split, []).operatorStateDistribution, 'split');
  const union = Object.assign(new ManualCommitSink(), {
    committableDistribution: 'union' as const,
  });
  assert.equal(sinkOperator(union, []).operatorStateDistribution, 'union');
});
