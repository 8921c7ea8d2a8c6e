/**
 * Engine-managed reads: fetch requests for partitions the engine assigned itself (no consumer
 * group, no rebalance), and their results.
 *
 * @module
 */
import type { IsolationLevel } from './isolation-level.ts';
import type { KafkaRecord } from './kafka-record.ts';
import type { PartitionOffset } from './topic-partition.ts';

/** Options of one {@link KafkaClientPort.fetch} call. */
export interface FetchOptions {
  readonly isolationLevel: IsolationLevel;
  /** How long the broker may wait for `minBytes` to arrive (default 500 ms). */
  readonly maxWaitMs?: number;
  /** The broker answers as soon as this many bytes are available (default 1). */
  readonly minBytes?: number;
  /** Upper bound of one response per broker (default 8 MiB; at least one batch is returned). */
  readonly maxBytes?: number;
  /** Upper bound per partition (default 1 MiB). */
  readonly maxBytesPerPartition?: number;
}

/** What one partition returned. */
export interface PartitionFetch {
  readonly topic: string;
  readonly partition: number;
  /**
   * Records at or after the requested offset, in offset order. For `read_committed`, records of
   * aborted transactions are removed; transaction markers never appear.
   */
  readonly records: readonly KafkaRecord[];
  /**
   * Where to fetch next. It moves past markers and aborted records too, so it can be ahead of
   * the last record's offset + 1; it equals the requested offset when nothing was returned.
   */
  readonly nextOffset: number;
  /** The partition's high watermark (end offset) at the time of the fetch. */
  readonly highWatermark: number;
  /** The last stable offset: below it, every transaction is decided. */
  readonly lastStableOffset: number;
  /** The first offset still in the log. */
  readonly logStartOffset: number;
}

/** The result of one {@link KafkaClientPort.fetch} call: one entry per requested partition. */
export interface FetchBatch {
  readonly partitions: readonly PartitionFetch[];
}

/** Where to read: the partitions and their next offsets. */
export type FetchPositions = readonly PartitionOffset[];
