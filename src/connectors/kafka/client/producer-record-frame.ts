/**
 * A batch of {@link ProducerRecord}s packed into one `ArrayBuffer`, so the task thread can hand a
 * whole `send` to the producer's worker thread as one transferable (no structured clone of a
 * record object and a `Buffer` per record), and the worker can read keys and values as views into
 * it without copying.
 *
 * Layout, little-endian, one entry per record in order:
 * `topic index u32 | partition i32 (-1 = none) | timestamp f64 (NaN = none) | key length i32
 * (-1 = null) | value length i32 (-1 = null) | header count u32 | key bytes | value bytes`, then
 * per header `key length u32 | key UTF-8 | value length i32 (-1 = null) | value bytes`. Topic
 * names travel once per frame in {@link ProducerRecordFrame.topics}.
 *
 * @module
 */
import type { KafkaHeader, ProducerRecord } from './kafka-record.ts';

/** Records packed by {@link encodeProducerRecords}. */
export interface ProducerRecordFrame {
  /** The distinct topics, indexed by the records. */
  readonly topics: readonly string[];
  /** The packed records; transfer it, do not share it. */
  readonly buffer: ArrayBuffer;
  readonly count: number;
}

/** Fixed bytes of one record entry: topic, partition, timestamp, key/value lengths, headers. */
const ENTRY_BYTES = 4 + 4 + 8 + 4 + 4 + 4;

/** Packs records into one frame (one allocation for all of them). */
export function encodeProducerRecords(records: readonly ProducerRecord[]): ProducerRecordFrame {
  const count = records.length;
  // The sink mostly writes one topic: check the last one before the map.
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  let lastTopic: string | undefined;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i] as ProducerRecord;
    if (r.topic !== lastTopic && !topicIndex.has(r.topic)) {
      topicIndex.set(r.topic, topics.length);
      topics.push(r.topic);
    }
    lastTopic = r.topic;
    size += ENTRY_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    const headers = r.headers;
    if (headers !== undefined) {
      for (const h of headers) size += 8 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
    }
  }
  // Not from the shared pool: the whole ArrayBuffer is transferred.
  const out = Buffer.allocUnsafeSlow(size);
  let pos = 0;
  let lastIndex = 0;
  lastTopic = undefined;
  for (let i = 0; i < count; i++) {
    const r = records[i] as ProducerRecord;
    if (r.topic !== lastTopic) {
      lastIndex = topicIndex.get(r.topic) as number;
      lastTopic = r.topic;
    }
    const key = r.key ?? null;
    const value = r.value;
    const headers = r.headers;
    out.writeUInt32LE(lastIndex, pos);
    out.writeInt32LE(r.partition ?? -1, pos + 4);
    out.writeDoubleLE(r.timestamp ?? NaN, pos + 8);
    out.writeInt32LE(key === null ? -1 : key.length, pos + 16);
    out.writeInt32LE(value === null ? -1 : value.length, pos + 20);
    out.writeUInt32LE(headers?.length ?? 0, pos + 24);
    pos += ENTRY_BYTES;
    if (key !== null) {
      out.set(key, pos);
      pos += key.length;
    }
    if (value !== null) {
      out.set(value, pos);
      pos += value.length;
    }
    if (headers !== undefined) {
      for (const h of headers) {
        const written = out.write(h.key, pos + 4, 'utf8');
        out.writeUInt32LE(written, pos);
        pos += 4 + written;
        out.writeInt32LE(h.value === null ? -1 : h.value.length, pos);
        pos += 4;
        if (h.value !== null) {
          out.set(h.value, pos);
          pos += h.value.length;
        }
      }
    }
  }
  return { topics, buffer: out.buffer, count };
}

/** Builds one decoded record; `undefined` / `null` mean "absent" as in {@link ProducerRecord}. */
export type ProducerRecordFactory<R> = (
  topic: string,
  partition: number | undefined,
  timestamp: number | undefined,
  key: Buffer | null,
  value: Buffer | null,
  headers: KafkaHeader[] | undefined,
) => R;

/** The default factory: {@link ProducerRecord}s. */
const toProducerRecord: ProducerRecordFactory<ProducerRecord> = (
  topic,
  partition,
  timestamp,
  key,
  value,
  headers,
) => ({
  topic,
  value,
  ...(key !== null ? { key } : {}),
  ...(partition !== undefined ? { partition } : {}),
  ...(timestamp !== undefined ? { timestamp } : {}),
  ...(headers !== undefined ? { headers } : {}),
});

/**
 * Unpacks a frame; keys, values and header values are views into its buffer. `make` lets the
 * receiver build its own record shape directly (the producer worker builds the client library's
 * messages), instead of a {@link ProducerRecord} per record that it would convert again.
 */
export function decodeProducerRecords(frame: ProducerRecordFrame): ProducerRecord[];
export function decodeProducerRecords<R>(
  frame: ProducerRecordFrame,
  make: ProducerRecordFactory<R>,
): R[];
export function decodeProducerRecords<R>(
  frame: ProducerRecordFrame,
  make?: ProducerRecordFactory<R>,
): (R | ProducerRecord)[] {
  const build = make ?? toProducerRecord;
  const data = Buffer.from(frame.buffer);
  const records = new Array<R | ProducerRecord>(frame.count);
  let pos = 0;
  for (let i = 0; i < frame.count; i++) {
    const topic = frame.topics[data.readUInt32LE(pos)];
    if (topic === undefined) throw new RangeError('Corrupt producer record frame: topic index');
    const partition = data.readInt32LE(pos + 4);
    const timestamp = data.readDoubleLE(pos + 8);
    const keyLength = data.readInt32LE(pos + 16);
    const valueLength = data.readInt32LE(pos + 20);
    const headerCount = data.readUInt32LE(pos + 24);
    pos += ENTRY_BYTES;
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      key = data.subarray(pos, pos + keyLength);
      pos += keyLength;
    }
    let value: Buffer | null = null;
    if (valueLength >= 0) {
      value = data.subarray(pos, pos + valueLength);
      pos += valueLength;
    }
    let headers: KafkaHeader[] | undefined;
    if (headerCount > 0) {
      headers = [];
      for (let h = 0; h < headerCount; h++) {
        const keyBytes = data.readUInt32LE(pos);
        const headerKey = data.toString('utf8', pos + 4, pos + 4 + keyBytes);
        pos += 4 + keyBytes;
        const length = data.readInt32LE(pos);
        pos += 4;
        let headerValue: Buffer | null = null;
        if (length >= 0) {
          headerValue = data.subarray(pos, pos + length);
          pos += length;
        }
        headers.push({ key: headerKey, value: headerValue });
      }
    }
    records[i] = build(
      topic,
      partition >= 0 ? partition : undefined,
      timestamp === timestamp ? timestamp : undefined,
      key,
      value,
      headers,
    );
  }
  if (pos !== data.length) throw new RangeError('Corrupt producer record frame: length');
  return records;
}
