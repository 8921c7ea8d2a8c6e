/**
 * The settings of a Kafka sink, as the builder collects them.
 *
 * @module
 */
import type { DeliveryGuarantee } from './delivery-guarantee.ts';
import type { KafkaRecordSerializationSchema } from './kafka-record-serialization-schema.ts';
import type { KafkaClientFactory } from './kafka-source-options.ts';

/** Everything a {@link KafkaSink} needs; built by `KafkaSink.builder()`. */
export interface KafkaSinkOptions<T> {
  readonly name: string;
  readonly bootstrapServers: readonly string[];
  readonly serializer: KafkaRecordSerializationSchema<T>;
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix: string | undefined;
  /** Broker-side transaction timeout (`transaction.timeout.ms`, default 15 min as Flink sets it). */
  readonly transactionTimeoutMs: number;
  /** Transactional ids per subtask (transactions waiting for their checkpoint plus one open). */
  readonly transactionPoolSize: number;
  /** Records sent but not yet acknowledged before `write` waits (backpressure). */
  readonly maxInFlightRecords: number;
  readonly clientFactory: KafkaClientFactory;
}
