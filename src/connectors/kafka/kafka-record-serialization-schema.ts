/**
 * Turning a value into a Kafka record to write (Flink's `KafkaRecordSerializationSchema`): topic
 * (fixed or per record), value, key, headers, timestamp and partition.
 *
 * @module
 */
import type { SerializationSchema } from '../formats/serialization-schema.ts';
import type { KafkaHeader, ProducerRecord } from './client/kafka-record.ts';

/** Chooses the partition of a record among `partitions` partitions; `undefined` = by key. */
export type KafkaPartitioner<T> = (
  value: T,
  key: Uint8Array | null,
  partitions: number,
) => number | undefined;

/** Builds the record to write for a value. */
export interface KafkaRecordSerializationSchema<T> {
  /** Shown in the plan. */
  readonly description: string;
  /** The record for `value`; `timestamp` is the value's event timestamp (NaN when none). */
  serialize(value: T, timestamp: number): ProducerRecord;
  /** A custom partitioner needs the partition count of the topics: the sink looks it up. */
  readonly partitioner?: KafkaPartitioner<T> | undefined;
}

/**
 * Builds {@link KafkaRecordSerializationSchema}s.
 *
 * @example
 * ```ts
 * KafkaRecordSerializationSchema.builder<Order>()
 *   .setTopic((o) => (o.amount > 1000 ? 'big-orders' : 'orders'))
 *   .setValueSerializationSchema(new JsonSerializationSchema<Order>())
 *   .setKeySerializationSchema((o) => Buffer.from(o.customerId))
 *   .build();
 * ```
 */
export class KafkaRecordSerializationSchemaBuilder<T> {
  private topic: string | ((value: T) => string) | undefined;
  private value: SerializationSchema<T> | undefined;
  private key: ((value: T) => Uint8Array | null) | undefined;
  private headers: ((value: T) => readonly KafkaHeader[]) | undefined;
  private partitioner: KafkaPartitioner<T> | undefined;
  private keepTimestamp = true;

  /** A fixed topic, or one chosen per record. */
  setTopic(topic: string | ((value: T) => string)): this {
    this.topic = topic;
    return this;
  }
  /** Encodes the record value. */
  setValueSerializationSchema(schema: SerializationSchema<T>): this {
    this.value = schema;
    return this;
  }
  /** Encodes the record key (a schema or a function of the value). */
  setKeySerializationSchema(key: SerializationSchema<T> | ((value: T) => Uint8Array | null)): this {
    this.key = typeof key === 'function' ? key : (v) => key.serialize(v);
    return this;
  }
  /** Record headers for a value. */
  setHeaders(headers: (value: T) => readonly KafkaHeader[]): this {
    this.headers = headers;
    return this;
  }
  /** Chooses partitions (default: Kafka's murmur2 of the key, as Java clients place keys). */
  setPartitioner(partitioner: KafkaPartitioner<T>): this {
    this.partitioner = partitioner;
    return this;
  }
  /** Whether the record timestamp is the value's event timestamp (default true; else the producer's clock). */
  setWriteTimestamp(write: boolean): this {
    this.keepTimestamp = write;
    return this;
  }

  build(): KafkaRecordSerializationSchema<T> {
    const topic = this.topic;
    const value = this.value;
    if (topic === undefined) throw new Error('KafkaRecordSerializationSchema needs setTopic(...)');
    if (value === undefined) {
      throw new Error('KafkaRecordSerializationSchema needs setValueSerializationSchema(...)');
    }
    const topicOf = typeof topic === 'string' ? () => topic : topic;
    const key = this.key;
    const headers = this.headers;
    const keepTimestamp = this.keepTimestamp;
    return {
      description: `${typeof topic === 'string' ? topic : 'per-record topic'} (${value.name})`,
      partitioner: this.partitioner,
      serialize(v: T, timestamp: number): ProducerRecord {
        const k = key === undefined ? null : key(v);
        const bytes = value.serialize(v);
        // Assigned, not spread: spreading `{}` / `{ timestamp }` allocates per record.
        const record: { -readonly [P in keyof ProducerRecord]: ProducerRecord[P] } = {
          topic: topicOf(v),
          key:
            k === null
              ? null
              : Buffer.isBuffer(k)
                ? k
                : Buffer.from(k.buffer, k.byteOffset, k.byteLength),
          value: Buffer.isBuffer(bytes)
            ? bytes
            : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        };
        if (headers !== undefined) record.headers = headers(v);
        if (keepTimestamp && timestamp === timestamp) record.timestamp = timestamp;
        return record;
      },
    };
  }
}

/** Factories of {@link KafkaRecordSerializationSchema}s. */
export const KafkaRecordSerializationSchema = {
  /** A builder (Flink's `KafkaRecordSerializationSchema.builder()`). */
  builder<T>(): KafkaRecordSerializationSchemaBuilder<T> {
    return new KafkaRecordSerializationSchemaBuilder<T>();
  },
};
