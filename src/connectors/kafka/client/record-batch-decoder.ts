/**
 * Turns the record batches of one fetched partition into {@link KafkaRecord}s: drops records
 * below the requested offset (a fetch returns whole batches), transaction markers and — for
 * `read_committed` — records of aborted transactions, using the broker's list of aborted
 * transactions exactly as Kafka's Java consumer does.
 *
 * `@platformatic/kafka` 1.35's own aborted-record filter in `Consumer.fetch()` keeps one aborted
 * range per producer and needs the abort marker in the same response, so it lets aborted records
 * through when a response holds two aborted transactions of one producer or ends before the
 * marker (see docs/adr/0003-kafka-client.md); this decoder does not depend on it.
 *
 * @module
 */
import type { IsolationLevel } from './isolation-level.ts';
import type { KafkaHeader, KafkaRecord } from './kafka-record.ts';

/** The parts of a record batch the decoder reads (structurally `RecordsBatch` of the library). */
export interface RawRecordBatch {
  readonly firstOffset: bigint;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly records: readonly RawRecord[];
}

/** The parts of a record the decoder reads. */
export interface RawRecord {
  readonly timestampDelta: bigint;
  readonly offsetDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

/** An aborted transaction as the fetch response lists it. */
export interface RawAbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** What {@link decodePartitionRecords} returns. */
export interface DecodedPartition {
  readonly records: KafkaRecord[];
  /** The offset after the last batch seen (markers and aborted batches included). */
  readonly nextOffset: number;
}

const TIMESTAMP_TYPE_LOG_APPEND = 1 << 3;
const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;
const CONTROL_TYPE_ABORT = 0;

/** Converts a Kafka int64 to a number, refusing values a number cannot hold exactly. */
export function toSafeNumber(value: bigint, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Kafka ${what} ${value} is beyond Number.MAX_SAFE_INTEGER`);
  }
  return n;
}

function isAbortMarker(batch: RawRecordBatch): boolean {
  const key = batch.records[0]?.key;
  // Control record key: version (int16), type (int16); type 0 = ABORT, 1 = COMMIT.
  return (
    key !== null &&
    key !== undefined &&
    key.length >= 4 &&
    key.readInt16BE(2) === CONTROL_TYPE_ABORT
  );
}

/** Shared by every record without headers (most of them): no empty array per record. */
const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

function decodeHeaders(raw: RawRecord['headers']): readonly KafkaHeader[] {
  if (raw.length === 0) return NO_HEADERS;
  return raw.map(([key, value]) => ({ key: key === null ? '' : key.toString('utf8'), value }));
}

/**
 * Kafka's read_committed filter over the batches of one partition, in offset order: a producer
 * enters the "aborted" set when a batch at or after one of its aborted transactions' first offset
 * is seen and leaves it at its abort marker (Java's `CompletedFetch`).
 */
class TransactionFilter {
  readonly #readCommitted: boolean;
  readonly #pending: readonly RawAbortedTransaction[];
  #pendingIndex = 0;
  readonly #abortedProducers = new Set<bigint>();

  constructor(abortedTransactions: readonly RawAbortedTransaction[], isolation: IsolationLevel) {
    this.#readCommitted = isolation === 'read_committed';
    this.#pending = this.#readCommitted
      ? [...abortedTransactions].sort((a, b) =>
          a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
        )
      : [];
  }

  /** Whether the batch's records are returned (control batches never are). */
  accept(
    attributes: number,
    producerId: bigint,
    lastOffset: bigint,
    isAbortMarker: () => boolean,
  ): boolean {
    const control = (attributes & IS_CONTROL) !== 0;
    if (this.#readCommitted && (attributes & IS_TRANSACTIONAL) !== 0) {
      const pending = this.#pending;
      while (
        this.#pendingIndex < pending.length &&
        pending[this.#pendingIndex]!.firstOffset <= lastOffset
      ) {
        this.#abortedProducers.add(pending[this.#pendingIndex]!.producerId);
        this.#pendingIndex += 1;
      }
      if (control) {
        if (isAbortMarker()) this.#abortedProducers.delete(producerId);
        return false;
      }
      if (this.#abortedProducers.has(producerId)) return false;
    }
    return !control;
  }
}

/**
 * Decodes one partition of a fetch response.
 *
 * @param fetchOffset - the offset that was requested; earlier records in the first batch are dropped
 */
export function decodePartitionRecords(
  topic: string,
  partition: number,
  fetchOffset: number,
  batches: readonly RawRecordBatch[],
  abortedTransactions: readonly RawAbortedTransaction[],
  isolationLevel: IsolationLevel,
): DecodedPartition {
  const records: KafkaRecord[] = [];
  let nextOffset = fetchOffset;
  const filter = new TransactionFilter(abortedTransactions, isolationLevel);
  const first = BigInt(fetchOffset);
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset < first) continue;
    const after = toSafeNumber(lastOffset, 'offset') + 1;
    if (after > nextOffset) nextOffset = after;
    if (!filter.accept(batch.attributes, batch.producerId, lastOffset, () => isAbortMarker(batch)))
      continue;
    pushBatchRecords(records, topic, partition, fetchOffset, batch);
  }
  return { records, nextOffset };
}

/** Appends the records of a decoded (library) batch at or after `fetchOffset`. */
function pushBatchRecords(
  records: KafkaRecord[],
  topic: string,
  partition: number,
  fetchOffset: number,
  batch: RawRecordBatch,
): void {
  const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  const baseOffset = toSafeNumber(batch.firstOffset, 'offset');
  const baseTimestamp = Number(batch.firstTimestamp);
  const appendTimestamp = Number(batch.maxTimestamp);
  for (const record of batch.records) {
    const offset = baseOffset + record.offsetDelta;
    if (offset < fetchOffset) continue;
    records.push({
      topic,
      partition,
      offset,
      timestamp: logAppendTime ? appendTimestamp : baseTimestamp + Number(record.timestampDelta),
      key: record.key,
      value: record.value,
      headers: decodeHeaders(record.headers),
    });
  }
}

/** Record batch v2 header: bytes before the records. */
const BATCH_HEADER_BYTES = 61;
/** baseOffset and batchLength: the part not counted in batchLength. */
const BATCH_LOG_OVERHEAD = 12;
const COMPRESSION_MASK = 0x07;
const TWO_POW_32 = 2 ** 32;

/**
 * {@link decodePartitionRecords} straight from a partition's record bytes (what
 * {@link RawFetchConsumer} returns): one {@link KafkaRecord} and views of its key and value per
 * record, without the library's intermediate record objects (an object, a `BigInt` and a headers
 * array per record) — the fetch side's share of the task thread's garbage. Compressed batches and
 * transaction markers are read by `readBatch` (the library's batch reader). A partial batch at the end of the bytes
 * (the broker cuts responses at the size limit) is left for the next fetch.
 */
export function decodePartitionRecordBytes(
  topic: string,
  partition: number,
  fetchOffset: number,
  bytes: Buffer | undefined,
  abortedTransactions: readonly RawAbortedTransaction[],
  isolationLevel: IsolationLevel,
  readBatch: (batch: Buffer) => RawRecordBatch,
): DecodedPartition {
  const records: KafkaRecord[] = [];
  let nextOffset = fetchOffset;
  if (bytes === undefined) return { records, nextOffset };
  const filter = new TransactionFilter(abortedTransactions, isolationLevel);
  const end = bytes.length;
  let at = 0;
  while (at + BATCH_HEADER_BYTES <= end) {
    const total = BATCH_LOG_OVERHEAD + bytes.readInt32BE(at + 8);
    if (at + total > end) break;
    const magic = bytes.readInt8(at + 16);
    if (magic !== 2) {
      throw new RangeError(
        `Unsupported Kafka record batch magic ${magic} in ${topic}-${partition}`,
      );
    }
    const baseOffset = readInt64(bytes, at);
    const attributes = bytes.readInt16BE(at + 21);
    const lastOffset = baseOffset + bytes.readInt32BE(at + 23);
    const batchAt = at;
    at += total;
    if (lastOffset < fetchOffset) continue;
    if (lastOffset + 1 > nextOffset) nextOffset = lastOffset + 1;
    const producerId = bytes.readBigInt64BE(batchAt + 43);
    const accepted = filter.accept(attributes, producerId, BigInt(lastOffset), () =>
      isAbortMarker(readBatch(bytes.subarray(batchAt, batchAt + total))),
    );
    if (!accepted) continue;
    if ((attributes & COMPRESSION_MASK) !== 0) {
      pushBatchRecords(
        records,
        topic,
        partition,
        fetchOffset,
        readBatch(bytes.subarray(batchAt, batchAt + total)),
      );
      continue;
    }
    const logAppendTime = (attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    const firstTimestamp = readInt64(bytes, batchAt + 27);
    const maxTimestamp = readInt64(bytes, batchAt + 35);
    const count = bytes.readInt32BE(batchAt + 57);
    const reader = new VarIntReader(bytes, batchAt + BATCH_HEADER_BYTES);
    for (let i = 0; i < count; i++) {
      reader.readVarInt(); // record length
      reader.pos += 1; // record attributes: unused
      const timestampDelta = reader.readVarInt();
      const offset = baseOffset + reader.readVarInt();
      const key = reader.readBytes();
      const value = reader.readBytes();
      const headerCount = reader.readVarInt();
      let headers: readonly KafkaHeader[] = NO_HEADERS;
      if (headerCount > 0) {
        const list: KafkaHeader[] = [];
        for (let h = 0; h < headerCount; h++) {
          const headerKey = reader.readBytes();
          list.push({
            key: headerKey === null ? '' : headerKey.toString('utf8'),
            value: reader.readBytes(),
          });
        }
        headers = list;
      }
      if (offset < fetchOffset) continue;
      records.push({
        topic,
        partition,
        offset,
        timestamp: logAppendTime ? maxTimestamp : firstTimestamp + timestampDelta,
        key,
        value,
        headers,
      });
    }
    if (reader.pos !== batchAt + total) {
      throw new RangeError(
        `Corrupt Kafka record batch at offset ${baseOffset} of ${topic}-${partition}`,
      );
    }
  }
  return { records, nextOffset };
}

/** A signed 64-bit big-endian integer as a number, refusing values a number cannot hold. */
function readInt64(bytes: Buffer, at: number): number {
  const value = bytes.readInt32BE(at) * TWO_POW_32 + bytes.readUInt32BE(at + 4);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `Kafka int64 ${bytes.readBigInt64BE(at)} is beyond Number.MAX_SAFE_INTEGER`,
    );
  }
  return value;
}

/** Zigzag varints (Kafka's record fields) and length-prefixed byte views, from a position. */
class VarIntReader {
  constructor(
    private readonly bytes: Buffer,
    public pos: number,
  ) {}

  readVarInt(): number {
    const bytes = this.bytes;
    let value = 0;
    let factor = 1;
    let byte: number;
    do {
      const next = bytes[this.pos++];
      if (next === undefined) throw new RangeError('Truncated Kafka record');
      byte = next;
      value += (byte & 0x7f) * factor;
      factor *= 128;
    } while (byte >= 0x80);
    // ZigZag: even → non-negative, odd → negative (arithmetic: values may exceed 2^31).
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** A varint length (-1 = null) and that many bytes, as a view. */
  readBytes(): Buffer | null {
    const length = this.readVarInt();
    if (length < 0) return null;
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }
}
