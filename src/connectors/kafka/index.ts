/**
 * `eddy/kafka`: Kafka source and sink (Flink's connector API), record formats, and the client
 * port they use.
 *
 * @example
 * ```ts
 * import { StreamEnvironment } from 'eddy';
 * import { KafkaSource, OffsetsInitializer, JsonDeserializationSchema } from 'eddy/kafka';
 *
 * const env = StreamEnvironment.create();
 * env
 *   .fromSource(
 *     KafkaSource.builder<{ user: string }>()
 *       .setBootstrapServers('localhost:9092')
 *       .setTopics('events')
 *       .setStartingOffsets(OffsetsInitializer.earliest())
 *       .setValueOnlyDeserializer(new JsonDeserializationSchema())
 *       .build(),
 *   )
 *   .print();
 * await env.execute('kafka-print');
 * ```
 *
 * @module
 */
export { KafkaSource } from './kafka-source.ts';
export { KafkaSourceBuilder } from './kafka-source-builder.ts';
export type { KafkaSourceOptions, KafkaClientFactory } from './kafka-source-options.ts';
export type { KafkaSourceState, KafkaDeadLetter } from './kafka-source-reader.ts';
export { OffsetsInitializer, type OffsetResetStrategy } from './offsets-initializer.ts';
export { KafkaRecordDeserializationSchema } from './kafka-record-deserialization-schema.ts';
export { splitOwner } from './split-owner.ts';
export { KafkaSink } from './kafka-sink.ts';
export { KafkaSinkBuilder } from './kafka-sink-builder.ts';
export type { KafkaSinkOptions } from './kafka-sink-options.ts';
export type { KafkaCommittable } from './kafka-sink-writer.ts';
export type { DeliveryGuarantee } from './delivery-guarantee.ts';
export {
  KafkaRecordSerializationSchema,
  KafkaRecordSerializationSchemaBuilder,
  type KafkaPartitioner,
} from './kafka-record-serialization-schema.ts';
export { defaultKafkaClientFactory } from './default-client-factory.ts';
export * from '../formats/index.ts';
export * from './client/index.ts';
