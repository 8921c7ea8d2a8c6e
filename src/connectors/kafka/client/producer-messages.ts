/**
 * Conversion of {@link ProducerRecord}s to `@platformatic/kafka` messages, and the partitioner
 * both producers use.
 *
 * @module
 */
import { murmur2, type MessageToProduce } from '@platformatic/kafka';
import type { ProducerRecord } from './kafka-record.ts';

/**
 * A partitioner compatible with Kafka's Java client: keyed records go to
 * `(murmur2(key) & 0x7fffffff) % partitions` (the library's default uses `>>> 0`, which places
 * keys on other partitions than Java, Flink or Kafka Streams do whenever the hash is negative and
 * the count is not a power of two); records without a key are spread round-robin. The library
 * applies `% partitions` to the returned number.
 */
export function createJavaCompatiblePartitioner(): (
  message: MessageToProduce,
  key: Buffer | undefined,
) => number {
  let next = 0;
  return (_message, key) => {
    if (Buffer.isBuffer(key)) return murmur2(key) & 0x7fffffff;
    next = (next + 1) & 0x7fffffff;
    return next;
  };
}

/** Converts port records to library messages (keeping repeated header keys). */
export function toLibraryMessages(records: readonly ProducerRecord[]): MessageToProduce[] {
  return records.map((record) => {
    const message: MessageToProduce = { topic: record.topic };
    if (record.partition !== undefined) message.partition = record.partition;
    if (record.key !== undefined && record.key !== null) message.key = record.key;
    if (record.value !== null) message.value = record.value;
    if (record.timestamp !== undefined) message.timestamp = BigInt(record.timestamp);
    if (record.headers !== undefined && record.headers.length > 0) {
      // Distinct Buffer objects are distinct Map keys, so repeated header keys survive.
      const headers = new Map<Buffer, Buffer>();
      for (const header of record.headers) {
        // The library types header values as Buffer, but its wire writer encodes null as the
        // null header value (length -1), which is what a null here means.
        headers.set(Buffer.from(header.key, 'utf8'), header.value as Buffer);
      }
      message.headers = headers;
    }
    return message;
  });
}
