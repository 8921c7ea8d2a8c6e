/**
 * Which source subtask reads a partition: Flink's `KafkaSourceEnumerator.getSplitOwner`, so the
 * assignment is the same as Flink's for the same topics and parallelism, and deterministic across
 * restarts (a partition's offsets stay with the subtask that snapshotted them).
 *
 * @module
 */
import type { TopicPartition } from './client/topic-partition.ts';

/** Java's `String.hashCode()` (UTF-16 code units, 32-bit overflow). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The subtask index that owns `tp`: partitions of one topic go round-robin from a start index
 * derived from the topic's hash, so several topics spread evenly.
 */
export function splitOwner(tp: TopicPartition, parallelism: number): number {
  const startIndex =
    ((Math.imul(javaStringHashCode(tp.topic), 31) & 0x7fffffff) >>> 0) % parallelism;
  return (startIndex + tp.partition) % parallelism;
}
