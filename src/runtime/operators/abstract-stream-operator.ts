/**
 * The base of every operator: output, context, keyed state and timers (on keyed streams),
 * watermark handling and failure wrapping. Subclasses implement `processBatch`; everything else
 * has a sensible default (Arroyo's small operator trait is the model).
 *
 * @module
 */
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { RichFunction } from '../../core/functions/rich-function.ts';
import { EddyError, type OperatorRef } from '../../errors/eddy-error.ts';
import { createKeyedStateBackend } from '../../state/create-keyed-state-backend.ts';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.ts';
import type { OperatorStateDistribution } from '../checkpoint/checkpoint-metadata.ts';
import type { SubtaskState } from '../checkpoint/subtask-state.ts';
import type { Emitter } from '../emitter.ts';
import type { GateOperator } from '../input-gate.ts';
import { OperatorContext } from '../operator-context.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { invalidKeyError, isUnattributedInvalidKey } from '../invalid-key-error.ts';
import { InternalTimerService, type TimerEntry } from '../timers/internal-timer-service.ts';

export abstract class AbstractStreamOperator implements GateOperator {
  readonly out: Emitter;
  readonly ctx: OperatorContext;
  readonly ref: OperatorRef;
  readonly backend: KeyedStateBackend | undefined;
  readonly timers: InternalTimerService | undefined;
  /** The last watermark this operator processed. */
  currentWatermark = Number.NEGATIVE_INFINITY;
  /** Late records dropped (windows, joins). */
  lateRecordsDropped = 0;

  constructor(protected readonly setup: OperatorSetup) {
    const { node } = setup;
    this.out = setup.output;
    this.ref = {
      name: node.name,
      uid: node.uid,
      definedAt: node.definedAt,
      subtask: setup.subtaskIndex,
    };
    if (node.keyed) {
      this.backend = createKeyedStateBackend({
        kind: setup.stateBackend,
        operatorName: node.name,
        maxParallelism: setup.maxParallelism,
        dir: setup.stateDir,
        memoryBytes: setup.stateMemoryBytes,
        clock: () => setup.clock.now(),
      });
      this.timers = new InternalTimerService(
        this.backend,
        setup.clock,
        (timer, domain) => this.onTimer(timer, domain),
        (action) =>
          setup.runAction(() => {
            action();
            this.flushOutputs();
          }),
      );
    }
    this.ctx = new OperatorContext(
      setup.metrics,
      setup.properties,
      {
        jobName: setup.jobName,
        operatorName: node.name,
        operatorUid: node.uid,
        subtaskIndex: setup.subtaskIndex,
        parallelism: setup.parallelism,
        maxParallelism: setup.maxParallelism,
        attempt: setup.attempt,
      },
      this.ref,
      setup.sideOutputs,
      this.backend,
      this.timers,
      setup.clock,
    );
  }

  /** How {@link AbstractStreamOperator.snapshotOperatorState} entries are spread on rescaling. */
  readonly operatorStateDistribution: OperatorStateDistribution = 'split';

  /**
   * Operator (non-keyed) state to include in a checkpoint, as a list whose entries can be
   * redistributed when the parallelism changes. Called synchronously at the barrier; the result
   * is serialized before the next record, so it may share structure with live data.
   */
  snapshotOperatorState?(checkpointId: number): readonly unknown[];

  /** Restores what {@link AbstractStreamOperator.snapshotOperatorState} returned (before `open`). */
  restoreOperatorState?(entries: readonly unknown[]): void;

  /**
   * The record-at-a-time step this operator contributes to a fused chain, or undefined when it
   * cannot be fused (see `fusion/fused-chain.ts`).
   */
  fusionStage?(): FusionStage | undefined;

  /** The checkpoint `checkpointId` is complete (all its files are durable). */
  notifyCheckpointComplete(_checkpointId: number): void {}

  /**
   * Everything this subtask holds for a checkpoint, taken at the barrier (without keyed state when
   * `keyed` is false: the caller takes it asynchronously from the backend).
   */
  snapshotState(checkpointId: number, keyed = true): SubtaskState | Promise<SubtaskState> {
    this.flushOutputs();
    return {
      ...(this.backend !== undefined && keyed ? { keyGroups: this.backend.snapshot() } : {}),
      ...(this.timers !== undefined ? { timers: this.timers.timers() } : {}),
      ...(this.snapshotOperatorState !== undefined
        ? { operatorState: this.snapshotOperatorState(checkpointId) }
        : {}),
    };
  }

  /** Restores a subtask's share of a checkpoint; called before {@link AbstractStreamOperator.open}. */
  restoreState(state: SubtaskState): void {
    if (state.keyGroups !== undefined) this.backend?.restore(state.keyGroups);
    if (state.timers !== undefined) this.timers?.restore(state.timers);
    if (state.operatorState !== undefined) this.restoreOperatorState?.(state.operatorState);
  }

  /** Forwards a checkpoint barrier on every output after the snapshot. */
  emitBarrier(barrier: CheckpointBarrier): void {
    this.out.emitBarrier(barrier);
    for (const e of this.setup.sideOutputs.values()) e.emitBarrier(barrier);
  }

  /** Prepares the operator (user `open`). */
  open(): void | Promise<void> {}

  abstract processBatch(batch: RecordBatch, input: number): void;

  /** Fires event-time timers up to `watermark`, then forwards it. */
  processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.ctx.currentWatermark = watermark;
    this.timers?.advanceWatermark(watermark);
    this.flushOutputs();
    this.out.emitWatermark(watermark);
    for (const e of this.setup.sideOutputs.values()) e.emitWatermark(watermark);
  }

  processIdle(idle: boolean): void {
    this.out.emitIdle(idle);
    for (const e of this.setup.sideOutputs.values()) e.emitIdle(idle);
  }

  /** All input has arrived: flush and end the outputs. */
  endInput(): void {
    this.finish();
    this.out.emitEnd();
    for (const e of this.setup.sideOutputs.values()) e.emitEnd();
  }

  /** Hook for operators that emit buffered results at the end of input. */
  protected finish(): void {}

  /** Called for each timer that fires; key and namespace are already set. */
  protected onTimer(_timer: TimerEntry, _domain: TimeDomain): void {}

  /** Sends buffered main and side output records downstream. */
  flushOutputs(): void {
    this.out.flush();
    for (const e of this.setup.sideOutputs.values()) e.flush();
  }

  close(): void | Promise<void> {
    this.timers?.dispose();
    // Disk backends hold a working copy that checkpoints make redundant; heap state stays
    // readable after close (test harnesses inspect it).
    if (this.backend !== undefined && !(this.backend instanceof HeapKeyedStateBackend))
      this.backend.dispose();
  }

  /**
   * Wraps anything a user function threw with this operator's identity. With `inRecord` the
   * failure happened while a record was processed: its key (keyed operators) and timestamp, as
   * the operator set them before calling the user function, are named in the error.
   *
   * A plain error thrown by user code may be transient (a lookup that timed out), so the job is
   * restarted as the restart strategy allows, as Flink does; an {@link EddyError} with
   * `retryable: false` and domain `user` (bad input, a misuse of the API) is not.
   */
  wrapFailure(e: unknown, inRecord = false): Error {
    let err: EddyError;
    if (isUnattributedInvalidKey(e)) {
      // The key is the problem: name the keyBy, and no key (the backend still has the last one).
      const sites = this.setup.binding.keyBySites;
      const err = invalidKeyError(
        e,
        this.ref,
        sites?.find((s) => s !== undefined),
      );
      return inRecord ? err.addRecord({ timestamp: this.ctx.currentTimestamp }) : err;
    }
    if (e instanceof EddyError) {
      // Failures of operators further down arrive wrapped already, naming their own record.
      if (e.operator !== undefined && e.operator !== this.ref) return e;
      // An EddyError the user (or a library below) threw names no operator: name this one,
      // keeping its code, domain and retryability (a `retryable: false` stops restarts).
      err =
        e.operator === undefined
          ? new EddyError(e.message, {
              code: e.code,
              domain: e.domain,
              retryable: e.retryable,
              hint: e.hint,
              operator: this.ref,
              cause: e,
            })
          : e;
    } else {
      const message = e instanceof Error ? e.message : String(e);
      err = new EddyError(`user function failed: ${message}`, {
        code: 'USER_FUNCTION_FAILED',
        domain: 'user',
        retryable: true,
        cause: e,
        operator: this.ref,
        hint: 'fix the function (the stack of the original error is in `cause`), or catch the error and send the record to a side output',
      });
    }
    if (inRecord) err.addRecord(this.currentRecord());
    return err;
  }

  /**
   * A failure of fused stage code on record `value` with timestamp `t` (see
   * `fusion/fused-chain.ts`): the key is computed again from the value, since the fast path of a
   * fused reduce never sets it on the backend.
   */
  wrapStageFailure(
    e: unknown,
    value: unknown,
    t: number,
    keySelector: ((v: unknown) => unknown) | undefined,
  ): Error {
    const err = this.wrapFailure(e);
    if (!(err instanceof EddyError) || err.operator !== this.ref) return err;
    const record: { key?: unknown; timestamp: number } = { timestamp: t };
    if (keySelector !== undefined && err.code !== 'INVALID_KEY') {
      try {
        record.key = keySelector(value);
      } catch {
        // The key selector itself failed: there is no key to name.
      }
    }
    return err.addRecord(record);
  }

  /** Key and timestamp of the record being processed (as set before the user function ran). */
  private currentRecord(): { key?: unknown; timestamp: number } {
    const timestamp = this.ctx.currentTimestamp;
    const b = this.backend;
    return b !== undefined && b.currentRawKey !== undefined
      ? { key: b.currentRawKey, timestamp }
      : { timestamp };
  }
}

/** Gives each subtask its own copy of a user function object (Flink deserializes one per subtask). */
export function instantiate<F>(fn: F): F {
  if (typeof fn !== 'object' || fn === null) return fn;
  const copy = Object.create(Object.getPrototypeOf(fn) as object | null) as F;
  return Object.assign(copy as object, fn) as F;
}

/**
 * Calls a user function object's `open` with the context. Synchronous when `open` returns no
 * promise, so test harnesses can open operators without an event-loop turn.
 */
export function openFunction(fn: unknown, op: AbstractStreamOperator): void | Promise<void> {
  const f = fn as RichFunction | undefined;
  if (typeof f !== 'object' || f === null || typeof f.open !== 'function') return;
  let r: void | Promise<void>;
  try {
    r = f.open(op.ctx);
  } catch (e) {
    throw op.wrapFailure(e);
  }
  if (r instanceof Promise) {
    return r.catch((e: unknown) => {
      throw op.wrapFailure(e);
    });
  }
}

/** Calls a user function object's `close`. */
export async function closeFunction(fn: unknown): Promise<void> {
  const f = fn as RichFunction | undefined;
  if (typeof f === 'object' && f !== null && typeof f.close === 'function') await f.close();
}
