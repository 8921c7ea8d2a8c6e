/** Producer records survive the trip through one frame unchanged. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProducerRecord } from './kafka-record.ts';
import { decodeProducerRecords, encodeProducerRecords } from './producer-record-frame.ts';

test('records round-trip through a frame: keys, null values, headers, partitions, timestamps', () => {
  const records: ProducerRecord[] = [
    { topic: 'a', value: Buffer.from('{"id":1}') },
    { topic: 'b', value: null, key: Buffer.from('k'), partition: 3, timestamp: 1_764_000_000_123 },
    {
      topic: 'a',
      value: Buffer.alloc(0),
      headers: [
        { key: 'trace', value: Buffer.from('x') },
        { key: 'trace', value: null },
        { key: 'ünï', value: Buffer.alloc(0) },
      ],
      timestamp: 0,
    },
  ];
  const frame = encodeProducerRecords(records);
  assert.deepEqual(frame.topics, ['a', 'b']);
  assert.equal(frame.count, 3);
  assert.deepEqual(decodeProducerRecords(frame), records);
});

test('a frame is one buffer the decoder reads without copying', () => {
  const frame = encodeProducerRecords([{ topic: 't', value: Buffer.from('value') }]);
  const [record] = decodeProducerRecords(frame);
  assert.equal(record?.value?.buffer, frame.buffer);
});

test('a truncated frame is refused', () => {
  const frame = encodeProducerRecords([{ topic: 't', value: Buffer.from('value') }]);
  assert.throws(
    () => decodeProducerRecords({ ...frame, buffer: frame.buffer.slice(0, 30) }),
    RangeError,
  );
});
