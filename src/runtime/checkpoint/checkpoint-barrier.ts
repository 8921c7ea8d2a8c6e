/**
 * The checkpoint barrier: a marker that a source injects between two batches and that travels in
 * order with batches and watermarks through every channel. Everything before the barrier belongs
 * to the checkpoint, everything after it to the next one.
 *
 * @module
 */

/** A barrier of one checkpoint (or savepoint). */
export interface CheckpointBarrier {
  /** Checkpoint id, increasing over the life of a job (across restarts). */
  readonly id: number;
  /** Wall-clock time the coordinator triggered the checkpoint. */
  readonly timestamp: number;
  /** Whether this is a savepoint (user-triggered, kept until the user deletes it). */
  readonly savepoint: boolean;
}
