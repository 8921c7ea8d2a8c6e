import type { SinkWriter } from '../../core/connector-spi.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { SubtaskState } from '../checkpoint/subtask-state.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { RecordWriter, SinkStage } from './fusion-stage.ts';

/** A committable waiting for its checkpoint to complete. */
interface PendingCommittable {
  readonly checkpointId: number;
  readonly committable: unknown;
}

/**
 * Hands batches to a sink writer; async writes and flushes become task blockers (backpressure).
 * For two-phase-commit writers it keeps the committables of checkpoints that have not completed
 * yet, and those of completed checkpoints whose commit has not succeeded yet; both are its
 * operator state, so a restore commits exactly what the restored checkpoint covers — including a
 * transaction whose commit failed after a later checkpoint was taken (as Flink's committer keeps
 * committables until they are committed). Commits must therefore be idempotent.
 */
export class SinkOperator extends AbstractStreamOperator {
  private readonly writer: SinkWriter<unknown>;
  private pending: PendingCommittable[] = [];
  /** Of completed checkpoints, being committed (or failed to): kept until the commit succeeds. */
  private committing: PendingCommittable[] = [];
  private restored: unknown[] = [];
  override readonly operatorStateDistribution;
  constructor(setup: OperatorSetup<'sink'>) {
    super(setup);
    const sink = setup.binding.settings.sink;
    this.operatorStateDistribution = sink.committableDistribution ?? 'split';
    this.writer = sink.createWriter({
      sinkName: setup.node.name,
      subtaskIndex: setup.subtaskIndex,
      parallelism: setup.parallelism,
      metrics: setup.metrics,
      properties: setup.properties,
      functionContext: this.ctx,
      checkpointing: setup.checkpointing,
    });
  }
  override async open(): Promise<void> {
    try {
      // Committables restored from a completed checkpoint: make them visible before anything new.
      if (this.restored.length > 0) await this.writer.commit?.(this.restored);
      this.restored = [];
      await this.writer.open?.();
    } catch (e) {
      throw this.wrapFailure(e);
    }
  }
  /** A writer that takes single records is chained ({@link SinkWriter.invoke}). */
  override fusionStage(): SinkStage | undefined {
    if (typeof this.writer.invoke !== 'function') return undefined;
    return {
      kind: 'sink',
      writer: this.writer as RecordWriter,
      operator: this,
      keySelector: undefined,
      backend: undefined,
    };
  }
  processBatch(batch: RecordBatch): void {
    const r = this.writer.write(batch.values, batch.timestamps, batch.size);
    if (r !== undefined)
      this.setup.addBlocker(r.catch((e: unknown) => Promise.reject(this.wrapFailure(e))));
  }
  override snapshotOperatorState(checkpointId: number): readonly unknown[] {
    const sealed = this.writer.preCommit?.(checkpointId) ?? [];
    if (sealed instanceof Promise) {
      throw new EddyError(
        'this sink pre-commits asynchronously; snapshot it with snapshotState()',
        {
          code: 'INTERNAL',
          domain: 'internal',
          operator: this.ref,
        },
      );
    }
    return this.addPending(checkpointId, sealed);
  }
  /**
   * Pre-commits at the barrier. When the writer's pre-commit is asynchronous (it waits for its
   * destination to acknowledge what was written before the barrier), the snapshot is a promise and
   * the checkpoint completes only after it; records after the barrier keep flowing meanwhile.
   */
  override snapshotState(checkpointId: number, keyed = true): SubtaskState | Promise<SubtaskState> {
    const sealed = this.writer.preCommit?.(checkpointId) ?? [];
    if (!(sealed instanceof Promise)) {
      return { operatorState: this.addPending(checkpointId, sealed) };
    }
    void keyed;
    return sealed.then(
      (committables) => ({ operatorState: this.addPending(checkpointId, committables) }),
      (e: unknown) => Promise.reject(this.wrapFailure(e)),
    );
  }
  private addPending(checkpointId: number, committables: readonly unknown[]): readonly unknown[] {
    for (const committable of committables) this.pending.push({ checkpointId, committable });
    return [...this.committing, ...this.pending].map((p) => p.committable);
  }
  override restoreOperatorState(entries: readonly unknown[]): void {
    this.restored.push(...entries);
  }
  override notifyCheckpointComplete(checkpointId: number): void {
    const due = this.pending.filter((p) => p.checkpointId <= checkpointId);
    if (due.length === 0) return;
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    this.committing.push(...due);
    const done = (): void => {
      this.committing = this.committing.filter((p) => !due.includes(p));
    };
    const r = this.writer.commit?.(due.map((p) => p.committable));
    if (r === undefined) done();
    else this.block(r.then(done));
  }
  protected override finish(): void {
    this.block(this.writer.flush?.());
    // Without checkpoints nothing else will ever commit: seal and commit at the end of input.
    if (!this.setup.checkpointing && this.writer.preCommit !== undefined) {
      const sealed = this.writer.preCommit(0);
      this.block(
        sealed instanceof Promise
          ? sealed.then((c) => this.writer.commit?.(c))
          : this.writer.commit?.(sealed),
      );
    }
  }
  /**
   * Discards pre-committed work that no completed checkpoint covers (failure or cancel). Work of
   * checkpoints up to `keepThrough`, which may be complete on disk, is left for a restore to
   * commit (or for the next run's writer to clean up).
   */
  abortPending(keepThrough = 0): void | Promise<void> {
    const list = this.pending.filter((p) => p.checkpointId > keepThrough).map((p) => p.committable);
    this.pending = [];
    return this.writer.abort?.(list);
  }
  private block(r: void | Promise<void> | undefined): void {
    if (r !== undefined)
      this.setup.addBlocker(r.catch((e: unknown) => Promise.reject(this.wrapFailure(e))));
  }
  override async close(): Promise<void> {
    await super.close();
    await this.writer.close?.();
  }
}
