/**
 * Decoding record batches straight from bytes gives the records the library's batch reader plus
 * {@link decodePartitionRecords} give: uncompressed and compressed batches, keys, null values,
 * headers, a fetch offset inside the first batch, and a partial batch at the end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRecordsBatch,
  NumericMap,
  Reader,
  readRecordsBatch,
  readRecordsBatches,
  type MessageRecord,
} from '@platformatic/kafka';
import {
  decodePartitionRecordBytes,
  decodePartitionRecords,
  type RawRecordBatch,
} from './record-batch-decoder.ts';

function batch(firstOffset: number, count: number, compression: 'none' | 'gzip'): Buffer {
  const messages: MessageRecord[] = Array.from({ length: count }, (_, i) => {
    const m: MessageRecord = {
      topic: 't',
      partition: 0,
      timestamp: 1_764_000_000_000n + BigInt(i * 13 - 20),
      value: Buffer.from(JSON.stringify({ i: firstOffset + i })),
      headers: new Map(),
    };
    if (i % 3 === 0) m.key = Buffer.from(`k${i}`);
    if (i % 4 === 0) m.value = null as unknown as Buffer;
    if (i % 5 === 0) m.headers = new Map([[Buffer.from('h'), Buffer.from(`v${i}`)]]);
    return m;
  });
  const bytes = createRecordsBatch(messages, {
    compression,
    producerId: 7n,
    producerEpoch: 0,
    sequences: new NumericMap(),
  }).buffer;
  // The broker assigns the base offset: write it as a log would hold it.
  bytes.writeBigInt64BE(BigInt(firstOffset), 0);
  return bytes;
}

const readBatch = (b: Buffer): RawRecordBatch => readRecordsBatch(Reader.from(b));

for (const compression of ['none', 'gzip'] as const) {
  test(`bytes decode like the library's batches (${compression})`, () => {
    const whole = Buffer.concat([batch(100, 10, compression), batch(110, 7, compression)]);
    // A partial third batch, as a fetch cut at its size limit returns.
    const bytes = Buffer.concat([whole, batch(117, 5, compression).subarray(0, 40)]);
    const expected = decodePartitionRecords(
      't',
      0,
      103,
      readRecordsBatches(Reader.from(whole)),
      [],
      'read_uncommitted',
    );
    const actual = decodePartitionRecordBytes(
      't',
      0,
      103,
      bytes,
      [],
      'read_uncommitted',
      readBatch,
    );
    assert.equal(actual.records.length, 14);
    assert.equal(actual.nextOffset, 117);
    assert.deepEqual(actual, expected);
  });
}

test('no bytes: nothing, and the position stays', () => {
  const decoded = decodePartitionRecordBytes('t', 0, 5, undefined, [], 'read_committed', readBatch);
  assert.deepEqual(decoded, { records: [], nextOffset: 5 });
});
