/** Types shared by the hand-written loop baselines. */
import type { CanonicalRecord } from '../canonical.ts';
import type { NexmarkEvent } from '../generator/events.ts';

/** Where events come from: a {@link NexmarkGenerator} or an {@link InterleavedGenerator}. */
export interface EventSource {
  /** Writes up to `max` next events into `out` from index 0 on; returns how many (0 at the end). */
  fill(out: NexmarkEvent[], max: number): number;
}

/** Receives each output record of a query. */
export type RecordSink = (record: CanonicalRecord) => void;

/**
 * A query as a plain loop: reads `source` to its end and passes every output record to `sink`.
 * Event time: watermark = max dateTime − 4 s; a window fires once the watermark reaches its last
 * millisecond, and every open window (and every final aggregate) fires at the end of input.
 */
export type LoopQuery = (source: EventSource, sink: RecordSink) => void;

/** Events read per `fill` call. */
export const BATCH_SIZE = 1024;
/** The watermark lags the largest event time seen by 4 s (Nexmark's DDL). */
export const WATERMARK_DELAY_MS = 4000;
