/**
 * The Kafka client port's `@platformatic/kafka` implementation against a real Kafka 4.x broker.
 *
 * Run: node --import tsx --test test/kafka/platformatic-kafka-client.test.ts
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { murmur2 } from '@platformatic/kafka';
import {
  KafkaClientError,
  OffsetOutOfRangeError,
  PlatformaticKafkaClient,
  ProducerFencedError,
  standaloneGroup,
  type IsolationLevel,
  type KafkaRecord,
  type PartitionFetch,
  type TopicPartition,
} from '../../src/connectors/kafka/client/index.ts';
import { leaveLingeringTransaction } from './fixtures/spawn-lingering-producer.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import { waitFor } from '../support/wait-for.ts';

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';

const topics: string[] = [];
const closers: (() => Promise<unknown>)[] = [];

function newClient(): PlatformaticKafkaClient {
  const client = new PlatformaticKafkaClient({
    bootstrapBrokers: [bootstrap],
    clientId: 'eddy-test',
  });
  closers.push(() => client.close());
  return client;
}

async function newTopic(prefix: string, partitions = 1): Promise<string> {
  const name = await createTopic(bootstrap, uniqueName(prefix), partitions);
  topics.push(name);
  return name;
}

function values(records: readonly KafkaRecord[]): string[] {
  return records.map((r) => r.value?.toString() ?? '<null>');
}

/** Fetches one partition from `from` to its end (high watermark, or LSO for read_committed). */
async function readAll(
  client: PlatformaticKafkaClient,
  tp: TopicPartition,
  isolationLevel: IsolationLevel,
  options: { from?: number; maxBytes?: number } = {},
): Promise<KafkaRecord[]> {
  if (isolationLevel === 'read_committed') {
    // EndTxn returns once the coordinator decided; markers reach partitions asynchronously.
    // Wait until every transaction in the partition is decided (LSO = high watermark).
    await waitFor(
      async () => {
        const [lso] = await client.listOffsets([tp], 'latest', 'read_committed');
        const [hw] = await client.listOffsets([tp], 'latest', 'read_uncommitted');
        return lso?.offset === hw?.offset;
      },
      { timeoutMs: 60_000, message: `transaction markers in ${tp.topic}-${tp.partition}` },
    );
  }
  const records: KafkaRecord[] = [];
  let offset = options.from ?? 0;
  for (let round = 0; round < 10_000; round++) {
    const batch = await client.fetch([{ ...tp, offset }], {
      isolationLevel,
      maxWaitMs: 20,
      ...(options.maxBytes === undefined
        ? {}
        : { maxBytes: options.maxBytes, maxBytesPerPartition: options.maxBytes }),
    });
    const p: PartitionFetch | undefined = batch.partitions[0];
    assert.ok(p);
    records.push(...p.records);
    offset = p.nextOffset;
    const end = isolationLevel === 'read_committed' ? p.lastStableOffset : p.highWatermark;
    if (offset >= end) return records;
  }
  throw new Error('readAll did not reach the end');
}

// The timeout is a guard against hangs, not a speed claim: 15 tests run at once against one
// broker, which on a loaded 2-core machine takes minutes.
describe('PlatformaticKafkaClient', { skip, concurrency: true, timeout: 300_000 }, () => {
  after(async () => {
    await Promise.allSettled(closers.map((close) => close()));
    await deleteTopics(bootstrap, topics);
  });

  test('lists partitions of topics and of a pattern; an unknown topic is an error', async () => {
    const client = newClient();
    const prefix = uniqueName('port-list');
    const a = await createTopic(bootstrap, `${prefix}-a`, 2);
    const b = await createTopic(bootstrap, `${prefix}-b`, 1);
    topics.push(a, b);
    assert.deepEqual(await client.listPartitions({ topics: [b, a] }), [
      { topic: a, partition: 0 },
      { topic: a, partition: 1 },
      { topic: b, partition: 0 },
    ]);
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.deepEqual(await client.listPartitions({ pattern: new RegExp(`${escaped}-[b-z]`) }), [
      { topic: b, partition: 0 },
    ]);
    // Whole-name match: a prefix alone does not match.
    assert.deepEqual(await client.listPartitions({ pattern: new RegExp(escaped) }), []);
    await assert.rejects(client.listPartitions({ topics: [`${prefix}-missing`] }), (error) => {
      assert.ok(error instanceof KafkaClientError);
      assert.equal(error.reason, 'unknown-topic-or-partition');
      return true;
    });
  });

  test('reads assigned partitions from given offsets, with the record shape intact', async () => {
    const client = newClient();
    const topic = await newTopic('port-fetch', 2);
    const producer = client.createIdempotentProducer();
    closers.push(() => producer.close());
    const base = 1_700_000_000_000;
    await producer.send(
      Array.from({ length: 6 }, (_, i) => ({
        topic,
        partition: 1,
        key: i === 0 ? null : Buffer.from(`k${i}`),
        value: i === 5 ? null : Buffer.from(`v${i}`),
        timestamp: base + i,
        headers:
          i === 2
            ? [
                { key: 'h', value: Buffer.from('one') },
                { key: 'h', value: Buffer.from('two') },
                { key: 'empty', value: null },
              ]
            : [],
      })),
    );
    await producer.send([{ topic, partition: 0, value: Buffer.from('p0') }]);
    await producer.flush();

    const batch = await client.fetch(
      [
        { topic, partition: 1, offset: 2 },
        { topic, partition: 0, offset: 0 },
      ],
      { isolationLevel: 'read_uncommitted', maxWaitMs: 50 },
    );
    assert.deepEqual(
      batch.partitions.map((p) => [p.partition, p.nextOffset, p.highWatermark, p.logStartOffset]),
      [
        [0, 1, 1, 0],
        [1, 6, 6, 0],
      ],
    );
    const p1 = batch.partitions[1];
    assert.ok(p1);
    assert.deepEqual(
      p1.records.map((r) => [
        r.offset,
        r.key?.toString() ?? null,
        r.value?.toString() ?? null,
        r.timestamp,
      ]),
      [
        [2, 'k2', 'v2', base + 2],
        [3, 'k3', 'v3', base + 3],
        [4, 'k4', 'v4', base + 4],
        [5, 'k5', null, base + 5],
      ],
    );
    assert.deepEqual(
      p1.records[0]?.headers.map((h) => [h.key, h.value?.toString() ?? null]),
      [
        ['h', 'one'],
        ['h', 'two'],
        ['empty', null],
      ],
    );
    assert.equal(p1.records[0]?.topic, topic);
    assert.equal(typeof p1.records[0]?.offset, 'number');

    // Nothing new: the fetch waits at most maxWaitMs and leaves the position where it was.
    const started = Date.now();
    const empty = await client.fetch([{ topic, partition: 1, offset: 6 }], {
      isolationLevel: 'read_uncommitted',
      maxWaitMs: 100,
    });
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(empty.partitions[0]?.records, []);
    assert.equal(empty.partitions[0]?.nextOffset, 6);
  });

  test('a position beyond the log is an OffsetOutOfRangeError naming the partition', async () => {
    const client = newClient();
    const topic = await newTopic('port-oor', 2);
    await assert.rejects(
      client.fetch(
        [
          { topic, partition: 0, offset: 0 },
          { topic, partition: 1, offset: 42 },
        ],
        { isolationLevel: 'read_uncommitted', maxWaitMs: 10 },
      ),
      (error) => {
        assert.ok(error instanceof OffsetOutOfRangeError, String(error));
        assert.deepEqual(error.partitions, [{ topic, partition: 1 }]);
        return true;
      },
    );
  });

  test('lists earliest, latest and by-timestamp offsets; latest read_committed is the LSO', async () => {
    const client = newClient();
    const topic = await newTopic('port-offsets', 2);
    const producer = client.createIdempotentProducer();
    closers.push(() => producer.close());
    const base = 1_700_000_000_000;
    await producer.send(
      Array.from({ length: 5 }, (_, i) => ({
        topic,
        partition: 0,
        value: Buffer.from(`t${i}`),
        timestamp: base + i * 1000,
      })),
    );
    await producer.flush();
    const tps = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ];
    assert.deepEqual(
      (await client.listOffsets(tps, 'earliest')).map((o) => o.offset),
      [0, 0],
    );
    assert.deepEqual(
      (await client.listOffsets(tps, 'latest')).map((o) => o.offset),
      [5, 0],
    );
    assert.deepEqual(
      await client.listOffsets([{ topic, partition: 0 }], { timestamp: base + 1500 }),
      [{ topic, partition: 0, offset: 2, timestamp: base + 2000 }],
    );
    // No record that late: the end offset, timestamp null.
    assert.deepEqual(await client.listOffsets(tps, { timestamp: base + 60_000 }), [
      { topic, partition: 0, offset: 5, timestamp: null },
      { topic, partition: 1, offset: 0, timestamp: null },
    ]);

    const txn = client.createTransactionalProducer({
      transactionalId: uniqueName('port-offsets-txn'),
    });
    closers.push(() => txn.close());
    await txn.init();
    await txn.beginTransaction();
    await txn.send([{ topic, partition: 1, value: Buffer.from('open') }]);
    assert.deepEqual(
      (await client.listOffsets(tps, 'latest', 'read_committed')).map((o) => o.offset),
      [5, 0],
    );
    assert.deepEqual(
      (await client.listOffsets(tps, 'latest', 'read_uncommitted')).map((o) => o.offset),
      [5, 1],
    );
    await txn.commitTransaction();
    // The commit marker (offset 1) reaches the partition asynchronously; then the LSO is 2.
    await waitFor(
      async () =>
        (await client.listOffsets(tps, 'latest', 'read_committed')).map((o) => o.offset).join() ===
        '5,2',
      { timeoutMs: 60_000, message: 'LSO after the commit marker' },
    );
  });

  test('recommitting a transaction that was aborted warns of data loss instead of passing silently', async () => {
    const client = newClient();
    const topic = await newTopic('port-txn-lost');
    const transactionalId = uniqueName('port-txn-lost-id');
    const producer = client.createTransactionalProducer({ transactionalId });
    closers.push(() => producer.close());
    await producer.init();
    await producer.beginTransaction();
    await producer.send([{ topic, partition: 0, value: Buffer.from('lost') }]);
    const id = producer.producerIdAndEpoch;
    assert.ok(id !== undefined);
    // Aborted (say, by the broker's transaction timeout) with the epoch still current.
    await producer.abortTransaction();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      await client.commitPreparedTransaction({
        transactionalId,
        producerId: id.producerId.toString(),
        epoch: id.epoch,
      });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.name, 'EddyKafkaDataLoss');
    assert.match(
      warnings[0]?.message ?? '',
      new RegExp(`${transactionalId} .*aborted.*records are lost`),
    );
  });

  test('transactions: commit visible, abort invisible, empty transactions fine', async () => {
    const client = newClient();
    const topic = await newTopic('port-txn');
    const producer = client.createTransactionalProducer({
      transactionalId: uniqueName('port-txn-id'),
    });
    closers.push(() => producer.close());
    await producer.init();
    const run = async (vals: readonly string[], commit: boolean) => {
      await producer.beginTransaction();
      await producer.send(vals.map((v) => ({ topic, partition: 0, value: Buffer.from(v) })));
      await (commit ? producer.commitTransaction() : producer.abortTransaction());
    };
    await run(['a1', 'a2'], false);
    await run(['c1'], true);
    await run([], true); // a checkpoint without output
    await run(['a3'], false);
    await run([], false);
    await run(['c2', 'c3'], true);
    const tp = { topic, partition: 0 };
    assert.deepEqual(values(await readAll(client, tp, 'read_committed')), ['c1', 'c2', 'c3']);
    assert.deepEqual(values(await readAll(client, tp, 'read_uncommitted')), [
      'a1',
      'a2',
      'c1',
      'a3',
      'c2',
      'c3',
    ]);
    // Responses cut into single batches never leak aborted records either.
    assert.deepEqual(values(await readAll(client, tp, 'read_committed', { maxBytes: 1 })), [
      'c1',
      'c2',
      'c3',
    ]);
    // Starting inside an aborted transaction.
    assert.deepEqual(values(await readAll(client, tp, 'read_committed', { from: 1 })), [
      'c1',
      'c2',
      'c3',
    ]);
  });

  test('overlapping sends in one transaction reach every partition', async () => {
    const client = newClient();
    const topic = await newTopic('port-txn-par', 4);
    const producer = client.createTransactionalProducer({
      transactionalId: uniqueName('port-par-id'),
    });
    closers.push(() => producer.close());
    await producer.init();
    await producer.beginTransaction();
    await Promise.all(
      [0, 1, 2, 3].map((partition) =>
        producer.send(
          Array.from({ length: 5 }, (_, i) => ({
            topic,
            partition,
            value: Buffer.from(`${partition}-${i}`),
          })),
        ),
      ),
    );
    await producer.commitTransaction();
    // 5 records + the commit marker per partition, once the markers are written.
    await waitFor(
      async () => {
        const ends = await client.listOffsets(
          [0, 1, 2, 3].map((partition) => ({ topic, partition })),
          'latest',
          'read_committed',
        );
        return ends.every((o) => o.offset === 6);
      },
      { timeoutMs: 60_000, message: 'every partition holds 5 committed records and a marker' },
    );
    for (const partition of [0, 1, 2, 3]) {
      assert.deepEqual(
        values(await readAll(client, { topic, partition }, 'read_committed')),
        [0, 1, 2, 3, 4].map((i) => `${partition}-${i}`),
      );
    }
  });

  test('offsets sent in a transaction are committed only when it commits', async () => {
    const client = newClient();
    const input = await newTopic('port-eos-in', 2);
    const output = await newTopic('port-eos-out');
    const groupId = uniqueName('port-eos-group');
    const producer = client.createTransactionalProducer({
      transactionalId: uniqueName('port-eos-id'),
    });
    closers.push(() => producer.close());
    await producer.init();
    const tps = [
      { topic: input, partition: 0 },
      { topic: input, partition: 1 },
    ];
    assert.deepEqual(await client.listGroupOffsets(groupId, tps), [
      { topic: input, partition: 0, offset: null },
      { topic: input, partition: 1, offset: null },
    ]);

    await producer.beginTransaction();
    await producer.send([{ topic: output, partition: 0, value: Buffer.from('out-1') }]);
    await producer.sendOffsets(
      [
        { topic: input, partition: 0, offset: 10 },
        { topic: input, partition: 1, offset: 3 },
      ],
      standaloneGroup(groupId),
    );
    await producer.commitTransaction();

    await producer.beginTransaction();
    await producer.send([{ topic: output, partition: 0, value: Buffer.from('out-2') }]);
    await producer.sendOffsets(
      [{ topic: input, partition: 0, offset: 20 }],
      standaloneGroup(groupId),
    );
    await producer.abortTransaction();

    assert.deepEqual(await client.listGroupOffsets(groupId, tps), [
      { topic: input, partition: 0, offset: 10 },
      { topic: input, partition: 1, offset: 3 },
    ]);
    assert.deepEqual(
      values(await readAll(client, { topic: output, partition: 0 }, 'read_committed')),
      ['out-1'],
    );
  });

  test('group offsets committed for lag monitoring are listed back', async () => {
    const client = newClient();
    const topic = await newTopic('port-lag', 2);
    const groupId = uniqueName('port-lag-group');
    await client.commitGroupOffsets(groupId, [
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 0 },
    ]);
    assert.deepEqual(await client.listGroupOffsets(groupId, [{ topic, partition: 1 }]), [
      { topic, partition: 1, offset: 0 },
    ]);
  });

  test('a newer producer with the same id fences the older: ProducerFencedError, nothing visible', async () => {
    const client = newClient();
    const topic = await newTopic('port-fence');
    const transactionalId = uniqueName('port-fence-id');
    const older = client.createTransactionalProducer({ transactionalId });
    const newer = client.createTransactionalProducer({ transactionalId });
    closers.push(
      () => older.close(),
      () => newer.close(),
    );
    await older.init();
    await older.beginTransaction();
    await older.send([{ topic, partition: 0, value: Buffer.from('zombie') }]);

    await newer.init();
    await newer.beginTransaction();
    await newer.send([{ topic, partition: 0, value: Buffer.from('owner') }]);
    await newer.commitTransaction();

    const isFenced = (error: unknown) => {
      assert.ok(error instanceof ProducerFencedError, String(error));
      assert.equal(error.reason, 'producer-fenced');
      assert.equal(error.transactionalId, transactionalId);
      return true;
    };
    await assert.rejects(older.commitTransaction(), isFenced);
    await assert.rejects(older.beginTransaction(), isFenced);
    assert.deepEqual(values(await readAll(client, { topic, partition: 0 }, 'read_committed')), [
      'owner',
    ]);
  });

  test('init() aborts the transaction a SIGKILLed predecessor left open', async () => {
    const client = newClient();
    const topic = await newTopic('port-linger');
    const transactionalId = uniqueName('port-linger-id');
    await leaveLingeringTransaction(bootstrap, topic, transactionalId, 3);
    const tp = { topic, partition: 0 };
    assert.deepEqual(
      (await client.listOffsets([tp], 'latest', 'read_committed')).map((o) => o.offset),
      [0],
    );
    const successor = client.createTransactionalProducer({ transactionalId });
    closers.push(() => successor.close());
    await successor.init();
    // The child's transaction times out after 15 min: only init() can abort it within this wait,
    // so no assertion on elapsed time is needed (a loaded machine is slow, not wrong).
    await waitFor(
      async () => (await client.listOffsets([tp], 'latest', 'read_committed'))[0]?.offset === 4,
      {
        timeoutMs: 300_000,
        message: 'the lingering transaction is aborted',
      },
    );
    await successor.beginTransaction();
    await successor.send([{ topic, partition: 0, value: Buffer.from('after-restart') }]);
    await successor.commitTransaction();
    assert.deepEqual(values(await readAll(client, tp, 'read_committed')), ['after-restart']);
    assert.equal((await readAll(client, tp, 'read_uncommitted')).length, 4);
  });

  test('a send to a missing topic fails fast; the transaction is refused, the producer goes on', async () => {
    const client = newClient();
    const topic = await newTopic('port-missing');
    const producer = client.createTransactionalProducer({
      transactionalId: uniqueName('port-missing-id'),
    });
    closers.push(() => producer.close());
    await producer.init();
    await producer.beginTransaction();
    const missing = uniqueName('port-no-such-topic');
    const isUnknown = (error: unknown) => {
      assert.ok(error instanceof KafkaClientError, String(error));
      assert.equal(error.reason, 'unknown-topic-or-partition');
      return true;
    };
    await assert.rejects(producer.send([{ topic: missing, value: Buffer.from('x') }]), isUnknown);
    await assert.rejects(producer.commitTransaction(), isUnknown);
    await producer.beginTransaction();
    await producer.send([{ topic, partition: 0, value: Buffer.from('next') }]);
    await producer.commitTransaction();
    assert.deepEqual(values(await readAll(client, { topic, partition: 0 }, 'read_committed')), [
      'next',
    ]);

    const idempotent = client.createIdempotentProducer();
    closers.push(() => idempotent.close().catch(() => undefined));
    await idempotent.send([{ topic: missing, value: Buffer.from('x') }]);
    await assert.rejects(idempotent.flush(), isUnknown);
  });

  test('idempotent producer: overlapping sends lose nothing; flush waits for all', async () => {
    const client = newClient();
    const topic = await newTopic('port-idem');
    const producer = client.createIdempotentProducer({ maxBufferedRecords: 25 });
    closers.push(() => producer.close());
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        producer.send(
          Array.from({ length: 10 }, (_, j) => ({
            topic,
            partition: 0,
            value: Buffer.from(`${i}-${j}`),
          })),
        ),
      ),
    );
    await producer.flush();
    const records = await readAll(client, { topic, partition: 0 }, 'read_uncommitted');
    assert.equal(records.length, 80);
    assert.equal(new Set(values(records)).size, 80);
  });

  test("one send larger than the broker's max.message.bytes (1 MiB) is split, in both producers", async () => {
    const client = newClient();
    const topic = await newTopic('port-large');
    const value = Buffer.alloc(100, 'z');
    const records = Array.from({ length: 20_000 }, () => ({ topic, partition: 0, value }));
    const idempotent = client.createIdempotentProducer();
    closers.push(() => idempotent.close());
    await idempotent.send(records);
    await idempotent.flush();
    const txn = client.createTransactionalProducer({
      transactionalId: uniqueName('port-large-id'),
    });
    closers.push(() => txn.close());
    await txn.init();
    await txn.beginTransaction();
    await txn.send(records);
    await txn.commitTransaction();
    assert.equal((await readAll(client, { topic, partition: 0 }, 'read_committed')).length, 40_000);
  });

  test('keyed records land where Java clients put them', async () => {
    const client = newClient();
    const topic = await newTopic('port-keys', 3);
    // A key whose murmur2 hash is negative, so `& 0x7fffffff` and `>>> 0` disagree mod 3.
    let key = '';
    for (let i = 0; ; i++) {
      const hash = murmur2(Buffer.from(`key-${i}`));
      if (hash < 0 && (hash & 0x7fffffff) % 3 !== (hash >>> 0) % 3) {
        key = `key-${i}`;
        break;
      }
    }
    const expected = (murmur2(Buffer.from(key)) & 0x7fffffff) % 3;
    const producer = client.createIdempotentProducer();
    closers.push(() => producer.close());
    await producer.send([{ topic, key: Buffer.from(key), value: Buffer.from('v') }]);
    await producer.flush();
    const ends = await client.listOffsets(
      [0, 1, 2].map((partition) => ({ topic, partition })),
      'latest',
    );
    assert.deepEqual(
      ends.map((o) => o.offset),
      [0, 1, 2].map((p) => (p === expected ? 1 : 0)),
    );
  });
});
