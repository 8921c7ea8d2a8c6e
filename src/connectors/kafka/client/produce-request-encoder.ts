/**
 * Encodes a whole uncompressed Produce request (v10/v11: the versions the library speaks) into
 * one `Buffer`, sizes first, then one pass of writes: the bytes `@platformatic/kafka` 1.35's own
 * `createRequest` produces, without its per-record `Writer`, per-field `Buffer`s and the copies
 * that concatenate them. In the at-least-once Kafka → map → Kafka job that path was the largest
 * cost of the producer (record building, `Buffer.concat`, copies, and the garbage they leave).
 * Used by {@link RecordBatchProducer}; compressed sends keep the library's encoder.
 *
 * Layouts: Kafka's `ProduceRequest` v10/v11 (flexible: compact strings and arrays, tagged
 * fields) and the v2 record batch (`DefaultRecordBatch` / `DefaultRecord` of the Java client).
 *
 * @module
 */
import type { CreateRecordsBatchOptions, MessageRecord } from '@platformatic/kafka';
import { platformaticKafka } from './platformatic-kafka-library.ts';

const { crc32c } = platformaticKafka;

const IS_TRANSACTIONAL = 1 << 4;
const RECORD_BATCH_MAGIC = 2;
/** baseOffset, batchLength, partitionLeaderEpoch, magic, crc. */
const BATCH_PREFIX_BYTES = 8 + 4 + 4 + 1 + 4;
/** attributes … recordCount: the part the CRC covers before the records. */
const BATCH_HEADER_BYTES = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const TWO_POW_32 = 2 ** 32;

/** ZigZag of a safe integer, as a number (Kafka's varint / varlong are zigzag-encoded). */
function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes of an unsigned varint (values up to 2^53). */
function unsignedVarIntSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

function writeUnsignedVarInt(out: Buffer, pos: number, value: number): number {
  // Bitwise operations are exact below 2^31; above (timestamp deltas only) divide instead.
  while (value >= 0x80) {
    out[pos++] = (value < 0x80000000 ? value & 0x7f : value % 128) | 0x80;
    value = value < 0x80000000 ? value >>> 7 : Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

function writeInt64(out: Buffer, pos: number, value: number): void {
  // Safe integers only (offsets, timestamps, producer ids); negative values in two's complement.
  const high = Math.floor(value / TWO_POW_32);
  out.writeInt32BE(high, pos);
  out.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}

function lengthOf(bytes: Buffer | null | undefined): number {
  return bytes === null || bytes === undefined ? -1 : bytes.length;
}

/** One partition's records in request order, with their encoded sizes. */
interface PartitionRecords {
  readonly partition: number;
  readonly messages: MessageRecord[];
  /** Record body sizes (after the length varint), per message. */
  readonly bodySizes: number[];
  firstTimestamp: number;
  maxTimestamp: number;
  batchBytes: number;
}

/** Request options as the library's producer passes them (`Partial` like its own encoder's). */
export type ProduceRequestOptions = Partial<CreateRecordsBatchOptions>;

/**
 * Encodes a Produce request body. Mutates `messages` as the library's encoder does (a missing
 * partition becomes 0, a missing timestamp becomes now), so a retried request carries the same
 * timestamps. Throws for compressed requests: those go through the library.
 */
export function encodeProduceRequest(
  acks: number,
  timeoutMs: number,
  messages: readonly MessageRecord[],
  options: ProduceRequestOptions,
): Buffer {
  if ((options.compression ?? 'none') !== 'none') {
    throw new Error('encodeProduceRequest encodes uncompressed requests only');
  }
  const now = BigInt(Date.now());
  const topics = new Map<string, Map<number, PartitionRecords>>();
  for (const message of messages) {
    message.partition ??= 0;
    message.timestamp ??= now;
    let partitions = topics.get(message.topic);
    if (partitions === undefined) {
      partitions = new Map();
      topics.set(message.topic, partitions);
    }
    let records = partitions.get(message.partition);
    if (records === undefined) {
      const timestamp = Number(message.timestamp);
      records = {
        partition: message.partition,
        messages: [],
        bodySizes: [],
        firstTimestamp: timestamp,
        maxTimestamp: timestamp,
        batchBytes: 0,
      };
      partitions.set(message.partition, records);
    }
    records.messages.push(message);
  }
  // Partitions in ascending order, as the library's encoder lists them (any order is valid).
  for (const [topic, partitions] of topics) {
    if (partitions.size > 1) {
      topics.set(topic, new Map([...partitions].sort((a, b) => a[0] - b[0])));
    }
  }

  const transactionalId =
    options.transactionalId === null || options.transactionalId === undefined
      ? null
      : Buffer.from(options.transactionalId, 'utf8');
  let size =
    (transactionalId === null
      ? 1
      : unsignedVarIntSize(transactionalId.length + 1) + transactionalId.length) +
    2 +
    4 +
    unsignedVarIntSize(topics.size + 1) +
    1;
  const topicNames = new Map<string, Buffer>();
  for (const [topic, partitions] of topics) {
    const name = Buffer.from(topic, 'utf8');
    topicNames.set(topic, name);
    size += unsignedVarIntSize(name.length + 1) + name.length;
    size += unsignedVarIntSize(partitions.size + 1) + 1;
    for (const records of partitions.values()) {
      let recordBytes = 0;
      const list = records.messages;
      for (let i = 0; i < list.length; i++) {
        const message = list[i] as MessageRecord;
        const timestamp = Number(message.timestamp);
        if (timestamp > records.maxTimestamp) records.maxTimestamp = timestamp;
        const keyLength = lengthOf(message.key);
        const valueLength = lengthOf(message.value);
        let body =
          1 +
          unsignedVarIntSize(zigzag(timestamp - records.firstTimestamp)) +
          unsignedVarIntSize(zigzag(i)) +
          unsignedVarIntSize(zigzag(keyLength)) +
          Math.max(0, keyLength) +
          unsignedVarIntSize(zigzag(valueLength)) +
          Math.max(0, valueLength) +
          unsignedVarIntSize(zigzag(message.headers?.size ?? 0));
        if (message.headers !== undefined) {
          for (const [key, value] of message.headers) {
            const k = lengthOf(key);
            const v = lengthOf(value);
            body +=
              unsignedVarIntSize(zigzag(k)) +
              Math.max(0, k) +
              unsignedVarIntSize(zigzag(v)) +
              Math.max(0, v);
          }
        }
        records.bodySizes.push(body);
        recordBytes += unsignedVarIntSize(zigzag(body)) + body;
      }
      records.batchBytes = BATCH_PREFIX_BYTES + BATCH_HEADER_BYTES + recordBytes;
      size += 4 + unsignedVarIntSize(records.batchBytes + 1) + records.batchBytes + 1;
    }
  }

  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (transactionalId === null) {
    out[pos++] = 0;
  } else {
    pos = writeUnsignedVarInt(out, pos, transactionalId.length + 1);
    pos += transactionalId.copy(out, pos);
  }
  out.writeInt16BE(acks, pos);
  out.writeInt32BE(timeoutMs, pos + 2);
  pos += 6;
  pos = writeUnsignedVarInt(out, pos, topics.size + 1);
  const attributes = transactionalId === null ? 0 : IS_TRANSACTIONAL;
  const producerId = Number(options.producerId ?? -1n);
  const producerEpoch = options.producerEpoch ?? 0;
  for (const [topic, partitions] of topics) {
    const name = topicNames.get(topic) as Buffer;
    pos = writeUnsignedVarInt(out, pos, name.length + 1);
    pos += name.copy(out, pos);
    pos = writeUnsignedVarInt(out, pos, partitions.size + 1);
    for (const records of partitions.values()) {
      const list = records.messages;
      out.writeInt32BE(records.partition, pos);
      pos = writeUnsignedVarInt(out, pos + 4, records.batchBytes + 1);
      const batchStart = pos;
      writeInt64(out, pos, 0); // baseOffset: the broker assigns offsets
      out.writeInt32BE(records.batchBytes - 12, pos + 8);
      out.writeInt32BE(options.partitionLeaderEpoch ?? 0, pos + 12);
      out[pos + 16] = RECORD_BATCH_MAGIC;
      const crcAt = pos + 17;
      const crcFrom = pos + 21;
      pos = crcFrom;
      out.writeInt16BE(attributes, pos);
      out.writeInt32BE(list.length - 1, pos + 2);
      writeInt64(out, pos + 6, records.firstTimestamp);
      writeInt64(out, pos + 14, records.maxTimestamp);
      writeInt64(out, pos + 22, producerId);
      out.writeInt16BE(producerEpoch, pos + 30);
      const sequence = options.sequences?.getWithDefault(`${topic}:${records.partition}`, 0) ?? 0;
      out.writeInt32BE(sequence, pos + 32);
      out.writeInt32BE(list.length, pos + 36);
      pos += BATCH_HEADER_BYTES;
      for (let i = 0; i < list.length; i++) {
        const message = list[i] as MessageRecord;
        pos = writeUnsignedVarInt(out, pos, zigzag(records.bodySizes[i] as number));
        out[pos++] = 0; // record attributes: unused
        pos = writeUnsignedVarInt(
          out,
          pos,
          zigzag(Number(message.timestamp) - records.firstTimestamp),
        );
        pos = writeUnsignedVarInt(out, pos, zigzag(i));
        pos = writeBytes(out, pos, message.key);
        pos = writeBytes(out, pos, message.value);
        pos = writeUnsignedVarInt(out, pos, zigzag(message.headers?.size ?? 0));
        if (message.headers !== undefined) {
          for (const [key, value] of message.headers) {
            pos = writeBytes(out, pos, key);
            pos = writeBytes(out, pos, value);
          }
        }
      }
      out.writeUInt32BE(crc32c(out.subarray(crcFrom, pos)), crcAt);
      if (pos - batchStart !== records.batchBytes) {
        throw new Error('produce request encoder: record batch size mismatch');
      }
      out[pos++] = 0; // partition tagged fields
    }
    out[pos++] = 0; // topic tagged fields
  }
  out[pos++] = 0; // request tagged fields
  if (pos !== size) throw new Error('produce request encoder: request size mismatch');
  return out;
}

/** A varint length (-1 for null) and the bytes. */
function writeBytes(out: Buffer, pos: number, bytes: Buffer | null | undefined): number {
  if (bytes === null || bytes === undefined) return writeUnsignedVarInt(out, pos, 1);
  pos = writeUnsignedVarInt(out, pos, zigzag(bytes.length));
  return pos + bytes.copy(out, pos);
}
