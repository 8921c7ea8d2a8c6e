/**
 * Topic-partition coordinates, the unit of assignment for Eddy's Kafka source (one split per
 * partition, as in Flink).
 *
 * @module
 */

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A partition and an offset in it (a read position, a committed position, a listed offset). */
export interface PartitionOffset extends TopicPartition {
  /** The offset: the next record to read, for positions and commits. */
  readonly offset: number;
}

/** A group's committed offset for a partition; `null` when the group committed none. */
export interface CommittedOffset extends TopicPartition {
  readonly offset: number | null;
}

/** A stable string key for maps and logs: `topic-partition`, as Kafka's tools print it. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Which topics a source reads: a fixed list or every topic whose whole name matches a pattern. */
export type TopicSelector = { readonly topics: readonly string[] } | { readonly pattern: RegExp };
