/**
 * The settings of a Kafka source, as the builder collects them.
 *
 * @module
 */
import type { IsolationLevel } from './client/isolation-level.ts';
import type { KafkaClientPort } from './client/kafka-client-port.ts';
import type { TopicSelector } from './client/topic-partition.ts';
import type { KafkaRecordDeserializationSchema } from './kafka-record-deserialization-schema.ts';
import type { OffsetsInitializer } from './offsets-initializer.ts';

/** Creates the client a reader or writer uses (tests and benchmarks may pass their own). */
export type KafkaClientFactory = (
  bootstrapServers: readonly string[],
  clientId: string,
) => KafkaClientPort;

/** Everything a {@link KafkaSource} needs; built by `KafkaSource.builder()`. */
export interface KafkaSourceOptions<T> {
  readonly name: string;
  readonly bootstrapServers: readonly string[];
  readonly topics: TopicSelector;
  readonly groupId: string | undefined;
  readonly startingOffsets: OffsetsInitializer;
  /** Set for a bounded source: where each partition stops (exclusive). */
  readonly stoppingOffsets: OffsetsInitializer | undefined;
  readonly deserializer: KafkaRecordDeserializationSchema<T>;
  readonly isolationLevel: IsolationLevel;
  /** How often new partitions are looked for (0 = never); `partition.discovery.interval.ms`. */
  readonly discoveryIntervalMs: number;
  /** Commit offsets to the group on checkpoint completion (`commit.offsets.on.checkpoint`). */
  readonly commitOffsetsOnCheckpoint: boolean;
  /** Longest broker wait of one fetch (`fetch.max.wait.ms`). */
  readonly fetchMaxWaitMs: number;
  /** Records prefetched per reader before fetching pauses. */
  readonly maxBufferedRecords: number;
  /** How long retryable client errors are retried before the source fails. */
  readonly retryTimeoutMs: number;
  readonly clientFactory: KafkaClientFactory;
}
