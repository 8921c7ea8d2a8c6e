/**
 * The receiving end of a harness's outputs: a channel writer that copies every record (batches
 * are reused by the runtime, so they must be copied) and remembers watermarks.
 *
 * @module
 */
import type { ChannelWriter } from '../runtime/channel.ts';
import type { RecordBatch } from '../runtime/record-batch.ts';

/** A record with the event timestamp it was emitted with (`undefined` when it had none). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number | undefined;
}

/** Collects what an operator emits on one output. */
export class CollectingWriter implements ChannelWriter {
  /** Records in emission order. */
  readonly values: unknown[] = [];
  /** Timestamps, index-aligned with `values` (NaN: none). */
  readonly timestamps: number[] = [];
  /** Watermarks in emission order. */
  readonly watermarks: number[] = [];
  /** Whether end of input was emitted. */
  ended = false;

  writeBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    for (let i = 0; i < size; i++) {
      this.values.push(values[i]);
      this.timestamps.push(timestamps[i] as number);
    }
  }
  writeWatermark(watermark: number): void {
    this.watermarks.push(watermark);
  }
  writeIdle(): void {}
  /** Barriers are the checkpoint's business; a harness snapshots explicitly. */
  writeBarrier(): void {}
  writeEnd(): void {
    this.ended = true;
  }

  /** Records with their timestamps. */
  withTimestamps<T>(): TimestampedValue<T>[] {
    return this.values.map((value, i) => {
      const t = this.timestamps[i] as number;
      return { value: value as T, timestamp: t === t ? t : undefined };
    });
  }

  /** Forgets everything collected so far. */
  clear(): void {
    this.values.length = 0;
    this.timestamps.length = 0;
    this.watermarks.length = 0;
  }
}
