/**
 * What the async I/O operator's result queues share (Flink's `StreamElementQueue`): records and
 * watermarks go in in arrival order; `drain` emits what may be emitted.
 *
 * @module
 */
import type { AsyncEntry } from './async-entry.ts';

/** Where a queue emits. */
export interface QueueOutput {
  emitEntry(entry: AsyncEntry): void;
  emitWatermark(watermark: number): void;
}

export interface StreamElementQueue {
  /** Records in the queue (not yet emitted). */
  readonly size: number;
  add(entry: AsyncEntry): void;
  /** Queues a watermark; returns true when nothing precedes it, so it may be emitted at once. */
  addWatermark(watermark: number): boolean;
  /** A record's result is known. */
  completed(entry: AsyncEntry): void;
  /** Emits every record and watermark that may be emitted now. */
  drain(out: QueueOutput): void;
}
