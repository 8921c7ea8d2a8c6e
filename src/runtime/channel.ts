/**
 * What travels between operators: batches, watermarks, idleness, checkpoint barriers, end of input. Inside a thread
 * these are direct synchronous calls; across threads (parallel runtime) the same calls arrive
 * through serialized channels, in the same order.
 *
 * @module
 */
import type { CheckpointBarrier } from './checkpoint/checkpoint-barrier.ts';
import type { RecordBatch } from './record-batch.ts';

/** The receiving end of one channel. */
export interface ChannelTarget {
  pushBatch(batch: RecordBatch): void;
  pushWatermark(watermark: number): void;
  pushIdle(idle: boolean): void;
  /** A checkpoint barrier, in order with the batches before and after it. */
  pushBarrier(barrier: CheckpointBarrier): void;
  pushEnd(): void;
}

/** The sending end of one edge from one producer subtask: partitions records over targets. */
export interface ChannelWriter {
  writeBatch(batch: RecordBatch): void;
  writeWatermark(watermark: number): void;
  writeIdle(idle: boolean): void;
  /** Sends a checkpoint barrier to every connected target (after any split records). */
  writeBarrier(barrier: CheckpointBarrier): void;
  writeEnd(): void;
}
