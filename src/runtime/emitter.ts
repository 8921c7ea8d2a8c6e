/**
 * An operator's output: buffers what the operator emits into a reused {@link RecordBatch} and
 * hands full batches to the edge writers. It is also the `Collector` user functions call.
 *
 * @module
 */
import type { Collector } from '../core/functions/collector.ts';
import type { OperatorRef } from '../errors/eddy-error.ts';
import type { ChannelWriter } from './channel.ts';
import type { CheckpointBarrier } from './checkpoint/checkpoint-barrier.ts';
import { RecordBatch } from './record-batch.ts';

/** A consumer that takes records one at a time (a fused chain). */
export interface RecordPushTarget {
  push(value: unknown, timestamp: number): void;
  pushBatch(batch: RecordBatch): void;
  /** Sends on what the pushed records produced. */
  flush(): void;
}

export class Emitter implements Collector<unknown> {
  /** The batch being filled. */
  readonly batch = new RecordBatch();
  /** Timestamp given to records emitted by `collect` (the current input record's). */
  timestamp = Number.NaN;
  /** Records emitted so far. */
  recordsOut = 0;
  /** The last watermark emitted. */
  watermark = Number.NEGATIVE_INFINITY;
  /**
   * Set when the only consumer is a fused chain in this thread: records go straight into it
   * instead of into {@link Emitter.batch} (see `fusion/fused-chain.ts`). The chain counts them
   * into {@link Emitter.recordsOut} when it flushes (one counter per record, not two).
   */
  chain: RecordPushTarget | undefined = undefined;
  /**
   * The operators of {@link Emitter.chain}: a failure of one of them while this output's owner
   * emitted a record happened on that very record (they run once per pushed record).
   */
  chainOperators: readonly OperatorRef[] = [];
  private writers: ChannelWriter[] = [];

  /** @param capacity records per batch: a full batch is sent on at once */
  constructor(readonly capacity: number) {}

  /** Adds an edge. */
  addWriter(writer: ChannelWriter): void {
    this.writers.push(writer);
  }

  /** Whether any edge reads this output. */
  get connected(): boolean {
    return this.writers.length > 0;
  }

  collect(value: unknown): void {
    const c = this.chain;
    if (c !== undefined) {
      c.push(value, this.timestamp);
      return;
    }
    const b = this.batch;
    const n = b.size;
    b.values[n] = value;
    b.timestamps[n] = this.timestamp;
    b.size = n + 1;
    if (n + 1 >= this.capacity) this.flush();
  }

  /** Emits a record with an explicit timestamp. */
  collectWithTimestamp(value: unknown, timestamp: number): void {
    const c = this.chain;
    if (c !== undefined) {
      c.push(value, timestamp);
      return;
    }
    const b = this.batch;
    const n = b.size;
    b.values[n] = value;
    b.timestamps[n] = timestamp;
    b.size = n + 1;
    if (n + 1 >= this.capacity) this.flush();
  }

  /** Sends the buffered records downstream. */
  flush(): void {
    const b = this.batch;
    const c = this.chain;
    if (c !== undefined) {
      // Operators that fill the batch directly (map, filter) still end up here.
      if (b.size > 0) {
        c.pushBatch(b);
        b.size = 0;
      }
      c.flush();
      return;
    }
    if (b.size === 0) return;
    this.recordsOut += b.size;
    const ws = this.writers;
    for (let i = 0; i < ws.length; i++) (ws[i] as ChannelWriter).writeBatch(b);
    b.size = 0;
  }

  emitWatermark(watermark: number): void {
    this.flush();
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    for (const w of this.writers) w.writeWatermark(watermark);
  }

  emitIdle(idle: boolean): void {
    this.flush();
    for (const w of this.writers) w.writeIdle(idle);
  }

  /** Sends a checkpoint barrier after the records emitted so far. */
  emitBarrier(barrier: CheckpointBarrier): void {
    this.flush();
    for (const w of this.writers) w.writeBarrier(barrier);
  }

  emitEnd(): void {
    this.flush();
    for (const w of this.writers) w.writeEnd();
  }
}
