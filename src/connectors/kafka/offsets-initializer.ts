/**
 * Where a Kafka source starts (and, bounded, stops) reading each partition: Flink's
 * `OffsetsInitializer`.
 *
 * @module
 */
import type { IsolationLevel } from './client/isolation-level.ts';
import type { KafkaClientPort } from './client/kafka-client-port.ts';
import type { OffsetSpec } from './client/offset-spec.ts';
import type { PartitionOffset, TopicPartition } from './client/topic-partition.ts';

/** What an out-of-range position is reset to, and what `committedOffsets` falls back to. */
export type OffsetResetStrategy = 'earliest' | 'latest';

/**
 * Computes offsets for partitions. Create one with the static factories.
 *
 * @example
 * ```ts
 * KafkaSource.builder<Click>()
 *   .setStartingOffsets(OffsetsInitializer.committedOffsets('earliest'))
 *   .setBounded(OffsetsInitializer.latest());
 * ```
 */
export class OffsetsInitializer {
  private constructor(
    /** Shown in the plan. */
    readonly description: string,
    /** The reset strategy it implies for positions that fall out of the log. */
    readonly resetStrategy: OffsetResetStrategy,
    private readonly compute: (
      client: KafkaClientPort,
      partitions: readonly TopicPartition[],
      isolation: IsolationLevel,
      groupId: string | undefined,
    ) => Promise<PartitionOffset[]>,
  ) {}

  /** The first offset still in each partition's log. */
  static earliest(): OffsetsInitializer {
    return OffsetsInitializer.spec('earliest', 'earliest', 'earliest');
  }

  /**
   * The end of each partition when the reader starts (for `read_committed`, the last stable
   * offset): only records written afterwards are read. As a stopping initializer: the records
   * present at start.
   */
  static latest(): OffsetsInitializer {
    return OffsetsInitializer.spec('latest', 'latest', 'latest');
  }

  /** The first record with a timestamp at or after `timestamp` (ms); the end when none is. */
  static timestamp(timestamp: number): OffsetsInitializer {
    return OffsetsInitializer.spec(`timestamp(${timestamp})`, { timestamp }, 'latest');
  }

  /** Fixed offsets; partitions not listed use `fallback`. */
  static offsets(
    offsets: readonly PartitionOffset[],
    fallback: OffsetResetStrategy = 'earliest',
  ): OffsetsInitializer {
    const byKey = new Map(offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
    return new OffsetsInitializer('offsets', fallback, async (client, partitions, isolation) => {
      const missing = partitions.filter((p) => !byKey.has(`${p.topic}\u0000${p.partition}`));
      const listed = await client.listOffsets(missing, fallback, isolation);
      const fallbackOf = new Map(listed.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
      return partitions.map((p) => {
        const key = `${p.topic}\u0000${p.partition}`;
        return { ...p, offset: byKey.get(key) ?? fallbackOf.get(key) ?? 0 };
      });
    });
  }

  /**
   * The group's committed offsets (`setGroupId` is required); partitions without one start at
   * `fallback` (Flink's `committedOffsets(OffsetResetStrategy)`).
   */
  static committedOffsets(fallback: OffsetResetStrategy = 'earliest'): OffsetsInitializer {
    return new OffsetsInitializer(
      `committed(${fallback})`,
      fallback,
      async (client, partitions, isolation, groupId) => {
        if (groupId === undefined) {
          throw new Error('committedOffsets() needs a group id: call setGroupId(...)');
        }
        const committed = await client.listGroupOffsets(groupId, partitions);
        const missing = committed.filter((c) => c.offset === null);
        const listed = await client.listOffsets(missing, fallback, isolation);
        const fallbackOf = new Map(listed.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
        return committed.map((c) => ({
          topic: c.topic,
          partition: c.partition,
          offset: c.offset ?? fallbackOf.get(`${c.topic}\u0000${c.partition}`) ?? 0,
        }));
      },
    );
  }

  private static spec(
    description: string,
    spec: OffsetSpec,
    reset: OffsetResetStrategy,
  ): OffsetsInitializer {
    return new OffsetsInitializer(description, reset, async (client, partitions, isolation) => {
      const listed = await client.listOffsets(partitions, spec, isolation);
      return listed.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
    });
  }

  /** The offsets of `partitions` (one per partition, in order). */
  getPartitionOffsets(
    client: KafkaClientPort,
    partitions: readonly TopicPartition[],
    isolation: IsolationLevel,
    groupId: string | undefined,
  ): Promise<PartitionOffset[]> {
    if (partitions.length === 0) return Promise.resolve([]);
    return this.compute(client, partitions, isolation, groupId);
  }
}
