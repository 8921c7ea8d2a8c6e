/**
 * Decoding of whole Kafka records (Flink's `KafkaRecordDeserializationSchema`): a decoder that
 * sees key, value, headers, timestamp, topic, partition and offset.
 *
 * @module
 */
import type { DeserializationSchema } from '../formats/deserialization-schema.ts';
import type { KafkaRecord } from './client/kafka-record.ts';

/**
 * Decodes a Kafka record into a `T`; throw on malformed input (the record is dead-lettered).
 *
 * @example
 * ```ts
 * const withKey: KafkaRecordDeserializationSchema<{ key: string; click: Click }> = {
 *   name: 'keyed-json',
 *   deserialize: (r) => ({ key: r.key?.toString() ?? '', click: JSON.parse(String(r.value)) }),
 * };
 * ```
 */
export interface KafkaRecordDeserializationSchema<T> {
  readonly name: string;
  deserialize(record: KafkaRecord): T;
}

/** Factories of {@link KafkaRecordDeserializationSchema}s. */
export const KafkaRecordDeserializationSchema = {
  /**
   * Decodes only the value with `format`; a record without a value (a tombstone) is malformed.
   */
  valueOnly<T>(format: DeserializationSchema<T>): KafkaRecordDeserializationSchema<T> {
    return {
      name: format.name,
      deserialize(record: KafkaRecord): T {
        const value = record.value;
        if (value === null) throw new Error('the record has no value (a tombstone)');
        return format.deserialize(value);
      },
    };
  },
  /** The record as read: key, value, headers, timestamp, topic, partition, offset. */
  raw(): KafkaRecordDeserializationSchema<KafkaRecord> {
    return { name: 'raw', deserialize: (record) => record };
  },
};
