/**
 * What a running job reports about its checkpoints and failures (`JobClient.checkpointStats()`,
 * `JobClient.exceptionHistory()`), as plain data.
 *
 * @module
 */

/** One checkpoint or savepoint that completed or failed. */
export interface CheckpointRecord {
  readonly id: number;
  readonly savepoint: boolean;
  readonly status: 'COMPLETED' | 'FAILED';
  /** Where it was written. */
  readonly path: string;
  readonly triggeredAt: number;
  /** Trigger to completion (or failure), ms. */
  readonly durationMs: number;
  /** Bytes of state files written (with incremental checkpoints: the changes only). */
  readonly sizeBytes: number;
  /**
   * Bytes of the whole state the checkpoint stands for: with incremental checkpoints, every file
   * of its chains too (Flink's checkpointed "full size"); else `sizeBytes`.
   */
  readonly fullSizeBytes?: number;
  /** Longest synchronous part of any subtask's snapshot (at the barrier, on the record path), ms. */
  readonly syncMs?: number;
  /** Longest asynchronous part of any subtask (reading, serializing and writing its state), ms. */
  readonly asyncMs?: number;
  /** Longest barrier alignment of any subtask, ms. */
  readonly alignmentMs: number;
  /** Why it failed. */
  readonly failure?: string;
}

/** Counters and the recent history of checkpoints. */
export interface CheckpointStats {
  readonly completed: number;
  readonly failed: number;
  readonly lastCompleted: CheckpointRecord | undefined;
  /** Newest last; bounded. */
  readonly history: readonly CheckpointRecord[];
  /** In-process restarts so far. */
  readonly restarts: number;
  /** The checkpoint or savepoint the current attempt was restored from. */
  readonly restoredFrom: string | undefined;
}

/** The statistics of a job that has taken no checkpoint (or does not keep them, as a worker). */
export const NO_CHECKPOINT_STATS: CheckpointStats = Object.freeze({
  completed: 0,
  failed: 0,
  lastCompleted: undefined,
  history: Object.freeze([]),
  restarts: 0,
  restoredFrom: undefined,
});

/** One failure of a job attempt. */
export interface ExceptionRecord {
  /** Wall-clock ms. */
  readonly time: number;
  /** Restart attempt that failed (0: the first run). */
  readonly attempt: number;
  readonly operator: string | undefined;
  readonly subtask: number | undefined;
  readonly code: string;
  readonly message: string;
  readonly stack: string | undefined;
}
