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

function decodeHeaders(raw: RawRecord['headers']): KafkaHeader[] {
  if (raw.length === 0) return [];
  return raw.map(([key, value]) => ({ key: key === null ? '' : key.toString('utf8'), value }));
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
  const readCommitted = isolationLevel === 'read_committed';
  // Aborted transactions by first offset; a producer enters the "aborted" set when a batch at or
  // after that offset is seen and leaves it at its abort marker (Java's CompletedFetch).
  const pending = readCommitted
    ? [...abortedTransactions].sort((a, b) =>
        a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
      )
    : [];
  let pendingIndex = 0;
  const abortedProducers = new Set<bigint>();
  const first = BigInt(fetchOffset);

  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset < first) continue;
    const after = toSafeNumber(lastOffset, 'offset') + 1;
    if (after > nextOffset) nextOffset = after;
    const control = (batch.attributes & IS_CONTROL) !== 0;
    if (readCommitted && (batch.attributes & IS_TRANSACTIONAL) !== 0) {
      while (pendingIndex < pending.length && pending[pendingIndex]!.firstOffset <= lastOffset) {
        abortedProducers.add(pending[pendingIndex]!.producerId);
        pendingIndex += 1;
      }
      if (control) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (abortedProducers.has(batch.producerId)) continue;
    }
    if (control) continue;
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
  return { records, nextOffset };
}
