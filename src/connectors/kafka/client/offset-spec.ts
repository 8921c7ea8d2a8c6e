/**
 * What offset to look up for a partition (Flink's `OffsetsInitializer` choices, minus the
 * committed one, which is {@link KafkaClientPort.listGroupOffsets}).
 *
 * @module
 */
import type { TopicPartition } from './topic-partition.ts';

/**
 * - `earliest`: the log start offset.
 * - `latest`: the end offset (the high watermark; for `read_committed`, the last stable offset).
 * - `{ timestamp }`: the first offset whose record timestamp is at or after `timestamp` (ms
 *   since the epoch), or the end offset when no record is that late.
 */
export type OffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number };

/** The answer of a lookup for one partition. */
export interface ListedOffset extends TopicPartition {
  readonly offset: number;
  /**
   * For a timestamp lookup, the timestamp of the record found; `null` when none was found (the
   * offset is then the end offset) and for `earliest` / `latest`.
   */
  readonly timestamp: number | null;
}
