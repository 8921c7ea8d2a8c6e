/**
 * The Produce request encoder writes the same bytes as `@platformatic/kafka`'s own encoder (which
 * the broker tests prove correct), for keys, null values, headers, timestamps, several topics and
 * partitions, transactional ids and sequence numbers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  crc32c,
  NumericMap,
  produceV11,
  Reader,
  readRecordsBatch,
  type MessageRecord,
} from '@platformatic/kafka';
import { encodeProduceRequest, type ProduceRequestOptions } from './produce-request-encoder.ts';

function messages(): MessageRecord[] {
  const base = 1_764_000_000_000n;
  const list: MessageRecord[] = [];
  for (let i = 0; i < 300; i++) {
    const message: MessageRecord = {
      topic: i % 3 === 0 ? 'orders' : 'clicks',
      partition: i % 4,
      // Deltas of both signs and of several varint sizes; a late record sets the max timestamp.
      timestamp: base + BigInt((i * 7919) % 5000) - 2500n + (i === 200 ? 100_000_000n : 0n),
      value: Buffer.from(JSON.stringify({ id: i, pad: 'x'.repeat(i % 150) })),
    };
    if (i % 5 === 0) message.key = Buffer.from(`key-${i}`);
    if (i % 7 === 0) message.value = null as unknown as Buffer; // a tombstone
    if (i % 11 === 0) {
      message.headers = new Map([
        [Buffer.from('trace'), Buffer.from(`t${i}`)],
        [Buffer.from('empty'), Buffer.alloc(0)],
        [Buffer.from('null'), null as unknown as Buffer],
      ]);
    } else {
      message.headers = new Map();
    }
    list.push(message);
  }
  return list;
}

function library(acks: number, options: ProduceRequestOptions): Buffer {
  return produceV11.createRequest(acks, 30_000, messages(), options).buffer;
}

test('encodes the bytes the library encodes: idempotent request with sequences', () => {
  const sequences = new NumericMap();
  sequences.set('orders:1', 17);
  sequences.set('clicks:2', 2_000_000);
  const options: ProduceRequestOptions = {
    compression: 'none',
    producerId: 123_456_789_012n,
    producerEpoch: 3,
    sequences,
  };
  assert.deepEqual(encodeProduceRequest(-1, 30_000, messages(), options), library(-1, options));
});

test('encodes the bytes the library encodes: transactional request, no producer id', () => {
  const options: ProduceRequestOptions = { transactionalId: 'eddy-sink-0-1' };
  assert.deepEqual(encodeProduceRequest(1, 30_000, messages(), options), library(1, options));
});

test('fills in a missing partition and timestamp like the library', () => {
  const before = Date.now();
  const list: MessageRecord[] = [{ topic: 't', value: Buffer.from('v') }];
  encodeProduceRequest(-1, 1000, list, {});
  assert.equal(list[0]?.partition, 0);
  assert.ok(Number(list[0]?.timestamp) >= before);
});

test('refuses compressed requests (they go through the library)', () => {
  assert.throws(
    () => encodeProduceRequest(-1, 1000, messages(), { compression: 'gzip' }),
    /uncompressed/,
  );
});

test('timestamp deltas beyond 2^31 ms are zigzag varlongs as Kafka specifies', () => {
  // The library's own encoder shifts by 31 instead of 63 there and writes other bytes; a reader
  // (the library's, Java's) decodes ours back to the real deltas.
  const first = 1_764_000_000_000n;
  const list: MessageRecord[] = [
    { topic: 't', partition: 0, timestamp: first, value: Buffer.from('a') },
    { topic: 't', partition: 0, timestamp: first + 10_000_000_000n, value: Buffer.from('b') },
    { topic: 't', partition: 0, timestamp: first - 3_000_000_000n, value: Buffer.from('c') },
  ];
  const request = encodeProduceRequest(-1, 1000, list, {});
  // null transactional id, acks, timeout, 1 topic, name "t", 1 partition, index, batch length.
  const batchAt = 1 + 2 + 4 + 1 + 2 + 1 + 4 + 1;
  const batch = readRecordsBatch(Reader.from(request.subarray(batchAt, request.length - 3)));
  assert.deepEqual(
    batch.records.map((r) => r.timestampDelta),
    [0n, 10_000_000_000n, -3_000_000_000n],
  );
  assert.equal(batch.maxTimestamp, first + 10_000_000_000n);
  assert.equal(batch.crc, crc32c(request.subarray(batchAt + 21, request.length - 3)));
});
