/**
 * The Kafka client port and its `@platformatic/kafka` implementation.
 *
 * @module
 */
export type { FetchBatch, FetchOptions, FetchPositions, PartitionFetch } from './fetch-batch.ts';
export type { IdempotentProducer, IdempotentProducerOptions } from './idempotent-producer.ts';
export type { IsolationLevel } from './isolation-level.ts';
export {
  KafkaClientError,
  OffsetOutOfRangeError,
  ProducerFencedError,
  type KafkaClientErrorReason,
} from './kafka-client-error.ts';
export type { KafkaClientPort } from './kafka-client-port.ts';
export type { KafkaHeader, KafkaRecord, ProducerRecord } from './kafka-record.ts';
export type { ListedOffset, OffsetSpec } from './offset-spec.ts';
export {
  PlatformaticKafkaClient,
  type PlatformaticKafkaClientOptions,
} from './platformatic-kafka-client.ts';
export {
  topicPartitionKey,
  type CommittedOffset,
  type PartitionOffset,
  type TopicPartition,
  type TopicSelector,
} from './topic-partition.ts';
export {
  standaloneGroup,
  type ConsumerGroupMetadata,
  type PreparedTransaction,
  type TransactionalProducer,
  type TransactionalProducerOptions,
} from './transactional-producer.ts';
