/**
 * Conversion of {@link ProducerRecord}s to `@platformatic/kafka` messages, and the partitioner
 * both producers use.
 *
 * @module
 */
import type { MessageToProduce } from '@platformatic/kafka';
import type { KafkaHeader, ProducerRecord } from './kafka-record.ts';
import { platformaticKafka } from './platformatic-kafka-library.ts';

const { murmur2 } = platformaticKafka;

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
  return records.map((record) =>
    toLibraryMessage(
      record.topic,
      record.partition,
      record.timestamp,
      record.key ?? null,
      record.value,
      record.headers,
    ),
  );
}

/** One library message from the parts of a {@link ProducerRecord} (also a frame decoder's factory). */
export function toLibraryMessage(
  topic: string,
  partition: number | undefined,
  timestamp: number | undefined,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly KafkaHeader[] | undefined,
): MessageToProduce {
  const message: MessageToProduce = { topic };
  if (partition !== undefined) message.partition = partition;
  if (key !== null) message.key = key;
  if (value !== null) message.value = value;
  if (timestamp !== undefined) message.timestamp = BigInt(timestamp);
  if (headers !== undefined && headers.length > 0) {
    // Distinct Buffer objects are distinct Map keys, so repeated header keys survive.
    const map = new Map<Buffer, Buffer>();
    for (const header of headers) {
      // The library types header values as Buffer, but its wire writer encodes null as the
      // null header value (length -1), which is what a null here means.
      map.set(Buffer.from(header.key, 'utf8'), header.value as Buffer);
    }
    message.headers = map;
  }
  return message;
}

/**
 * Upper bound of the estimated bytes in one produce request. The library writes all records of a
 * `send()` for a partition as one record batch, and the broker refuses batches above the topic's
 * `max.message.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE, so sends are cut below that.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Per-record overhead estimate of the v2 record format (length, attributes, deltas, lengths). */
const RECORD_OVERHEAD_BYTES = 24;

/** An estimate of a message's size in a record batch (an upper bound for uncompressed data). */
export function estimatedSize(message: MessageToProduce): number {
  let size = RECORD_OVERHEAD_BYTES + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  if (message.headers instanceof Map) {
    for (const [key, value] of message.headers) {
      size += 10 + key.length + ((value as Buffer | null)?.length ?? 0);
    }
  }
  return size;
}

/** Cuts messages into consecutive chunks of at most {@link MAX_REQUEST_BYTES} (estimated). */
export function chunkBySize(messages: readonly MessageToProduce[]): MessageToProduce[][] {
  const chunks: MessageToProduce[][] = [];
  let current: MessageToProduce[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = estimatedSize(message);
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
