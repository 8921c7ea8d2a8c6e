/** The watermark before any record: nothing is known about event time yet. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;

/** The final watermark of bounded input: every event-time window and timer fires. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/** Marks a record that has no event timestamp. */
export const NO_TIMESTAMP = Number.NaN;

/** Where a watermark generator reports progress. */
export interface WatermarkOutput {
  /** Reports that no record with a timestamp ≤ `timestamp` is expected any more. */
  emitWatermark(timestamp: number): void;
  /** Reports that this input is idle: it must not hold back the watermark downstream. */
  markIdle(): void;
  /** Reports that the input is active again. */
  markActive(): void;
}

/** Generates watermarks from the records of one source split or stream. */
export interface WatermarkGenerator<T> {
  /** Called for every record. Punctuated generators emit here. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every auto-watermark interval. Periodic generators emit here. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts a record's event timestamp in milliseconds. */
export type TimestampAssigner<T> = (record: T, previousTimestamp: number | undefined) => number;
