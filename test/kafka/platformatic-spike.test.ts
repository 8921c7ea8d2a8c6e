/**
 * Spike: what `@platformatic/kafka` 1.35.0 itself does against a real Kafka 4.x broker, for the
 * capabilities Eddy's exactly-once Kafka connectors depend on (docs/adr/0003-kafka-client.md).
 * These tests call the library directly, not Eddy's port, and also pin down the library defects
 * the port works around: if one of them is fixed upstream, its test fails and the ADR and the
 * workaround should be revisited.
 *
 * Run: node --import tsx --test test/kafka/platformatic-spike.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  MessagesStreamModes,
  Producer,
  type FetchIsolationLevelValue,
  type Message,
} from '@platformatic/kafka';
import { decodePartitionRecords } from '../../src/connectors/kafka/client/record-batch-decoder.ts';
import { protocolErrorIds } from '../../src/connectors/kafka/client/kafka-error-mapping.ts';
import { leaveLingeringTransaction } from './fixtures/spawn-lingering-producer.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import { waitFor } from '../support/wait-for.ts';

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';
const bootstrapBrokers = [bootstrap];

const IS_CONTROL = 1 << 5;
const READ_COMMITTED = FetchIsolationLevels.READ_COMMITTED;
const READ_UNCOMMITTED = FetchIsolationLevels.READ_UNCOMMITTED;

const closers: (() => Promise<unknown>)[] = [];
const topics: string[] = [];

/** Producers in these tests pass producerId -1 / epoch -1: see "InitProducerId" below. */
function transactionalProducer(
  transactionalId: string,
  extra: { timeout?: number } = {},
): Producer {
  const producer = new Producer({
    clientId: 'spike-txn',
    bootstrapBrokers,
    idempotent: true,
    transactionalId,
    producerId: -1n,
    producerEpoch: -1,
    ...extra,
  });
  closers.push(() => producer.close());
  return producer;
}

function engineReader(): Consumer {
  // A group id is required by the constructor; fetch() and listOffsets() never join the group.
  const consumer = new Consumer({
    clientId: 'spike-reader',
    groupId: uniqueName('unused'),
    bootstrapBrokers,
  });
  closers.push(() => consumer.close());
  return consumer;
}

async function topicInfo(client: Consumer, topic: string): Promise<{ id: string; leader: number }> {
  const metadata = await client.metadata({ topics: [topic] });
  const info = metadata.topics.get(topic);
  assert.ok(info, `metadata for ${topic}`);
  const leader = info.partitions[0]?.leader;
  assert.ok(leader !== undefined && leader >= 0);
  return { id: info.id, leader };
}

/**
 * Reads a partition with the library's raw `fetch()` from `from` up to the end (the high
 * watermark, or the last stable offset for read_committed): values as the library returns them
 * (control batches dropped, nothing else filtered here).
 */
async function readRaw(
  client: Consumer,
  topic: string,
  partition: number,
  isolationLevel: FetchIsolationLevelValue,
  from = 0n,
): Promise<string[]> {
  const { id, leader } = await topicInfo(client, topic);
  if (isolationLevel === READ_COMMITTED) {
    // EndTxn returns once the coordinator decided; markers reach partitions asynchronously.
    // Wait until every transaction in the partition is decided (LSO = high watermark).
    const end = async (level: FetchIsolationLevelValue) =>
      (await client.listOffsets({ topics: [topic], isolationLevel: level })).get(topic)?.[
        partition
      ];
    await waitFor(async () => (await end(READ_COMMITTED)) === (await end(READ_UNCOMMITTED)), {
      timeoutMs: 60_000,
      message: `transaction markers in ${topic}-${partition}`,
    });
  }
  const values: string[] = [];
  let offset = from;
  for (let round = 0; round < 1000; round++) {
    const response = await client.fetch({
      node: leader,
      isolationLevel,
      maxWaitTime: 50,
      topics: [
        {
          topicId: id,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              lastFetchedEpoch: -1,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
    });
    const p = response.responses[0]?.partitions[0];
    assert.ok(p);
    const end = isolationLevel === READ_COMMITTED ? p.lastStableOffset : p.highWatermark;
    for (const batch of p.records ?? []) {
      offset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (batch.attributes & IS_CONTROL) continue;
      for (const record of batch.records) {
        if (batch.firstOffset + BigInt(record.offsetDelta) >= from)
          values.push(record.value?.toString() ?? '<null>');
      }
    }
    if (offset >= end) return values;
  }
  throw new Error('readRaw did not reach the end of the partition');
}

async function commitTransaction(
  producer: Producer,
  topic: string,
  values: readonly string[],
  commit: boolean,
) {
  const transaction = await producer.beginTransaction();
  await transaction.send({
    messages: values.map((value) => ({ topic, partition: 0, value: Buffer.from(value) })),
  });
  await (commit ? transaction.commit() : transaction.abort());
}

describe(
  '@platformatic/kafka 1.35 against Kafka 4.x',
  { skip, concurrency: true, timeout: 60_000 },
  () => {
    let admin: Admin;
    before(() => {
      admin = new Admin({ clientId: 'spike-admin', bootstrapBrokers });
    });
    after(async () => {
      await Promise.allSettled(closers.map((close) => close()));
      await deleteTopics(bootstrap, topics);
      await admin.close();
    });

    async function newTopic(prefix: string, partitions = 1): Promise<string> {
      const name = await createTopic(bootstrap, uniqueName(prefix), partitions);
      topics.push(name);
      return name;
    }

    test('(a) committed transactions are visible to read_committed, aborted ones only to read_uncommitted', async () => {
      const topic = await newTopic('spike-a');
      const producer = transactionalProducer(uniqueName('spike-a-txn'));
      await commitTransaction(producer, topic, ['c1', 'c2'], true);
      await commitTransaction(producer, topic, ['a1', 'a2'], false);
      await commitTransaction(producer, topic, ['c3'], true);

      const reader = engineReader();
      assert.deepEqual(await readRaw(reader, topic, 0, READ_COMMITTED), ['c1', 'c2', 'c3']);
      assert.deepEqual(await readRaw(reader, topic, 0, READ_UNCOMMITTED), [
        'c1',
        'c2',
        'a1',
        'a2',
        'c3',
      ]);
    });

    test('(a) defect: fetch() read_committed leaks aborted records when one response holds two aborts of one producer; the port decoder does not', async () => {
      const topic = await newTopic('spike-a2');
      const producer = transactionalProducer(uniqueName('spike-a2-txn'));
      await commitTransaction(producer, topic, ['a1', 'a2'], false);
      await commitTransaction(producer, topic, ['c1'], true);
      await commitTransaction(producer, topic, ['a3'], false);
      await commitTransaction(producer, topic, ['c2'], true);

      const reader = engineReader();
      // Library: keeps one aborted range per producer id, the last one: a1, a2 leak.
      assert.deepEqual(await readRaw(reader, topic, 0, READ_COMMITTED), ['a1', 'a2', 'c1', 'c2']);

      // The same response through the port's decoder (Java consumer's algorithm).
      const { id, leader } = await topicInfo(reader, topic);
      const response = await reader.fetch({
        node: leader,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: 50,
        topics: [
          {
            topicId: id,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      });
      const p = response.responses[0]?.partitions[0];
      assert.ok(p);
      assert.equal(p.abortedTransactions.length, 2);
      const decoded = decodePartitionRecords(
        topic,
        0,
        0,
        p.records ?? [],
        p.abortedTransactions,
        'read_committed',
      );
      assert.deepEqual(
        decoded.records.map((r) => r.value?.toString()),
        ['c1', 'c2'],
      );
      assert.equal(decoded.nextOffset, 9); // 4 data batches + 4 markers + the two-record batch
    });

    test('(a) defect: a response cut before the abort marker (small maxBytes) leaks the aborted batch', async () => {
      const topic = await newTopic('spike-a3');
      const producer = transactionalProducer(uniqueName('spike-a3-txn'));
      await commitTransaction(producer, topic, ['aborted-0', 'aborted-1'], false);
      await commitTransaction(producer, topic, ['committed'], true);
      const reader = engineReader();
      const { id, leader } = await topicInfo(reader, topic);
      const response = await reader.fetch({
        node: leader,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: 50,
        maxBytes: 100,
        topics: [
          {
            topicId: id,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 100,
              },
            ],
          },
        ],
      });
      const p = response.responses[0]?.partitions[0];
      assert.ok(p);
      // The broker returned only the first (aborted) batch, without its marker, and listed it.
      assert.equal(p.records?.length, 1);
      assert.deepEqual(
        p.abortedTransactions.map((a) => a.firstOffset),
        [0n],
      );
      assert.deepEqual(
        p.records?.[0]?.records.map((r) => r.value?.toString()),
        ['aborted-0', 'aborted-1'],
      );
      const decoded = decodePartitionRecords(
        topic,
        0,
        0,
        p.records ?? [],
        p.abortedTransactions,
        'read_committed',
      );
      assert.deepEqual(decoded.records, []);
      assert.equal(decoded.nextOffset, 2);
    });

    test('(b) consume-transform-produce: offsets committed in the transaction with the group metadata', async () => {
      const input = await newTopic('spike-b-in');
      const output = await newTopic('spike-b-out');
      const groupId = uniqueName('spike-b-group');
      const seed = new Producer({
        clientId: 'spike-seed',
        bootstrapBrokers,
        idempotent: true,
        producerId: -1n,
        producerEpoch: -1,
      });
      closers.push(() => seed.close());
      await seed.send({
        messages: ['x1', 'x2', 'x3', 'x4', 'x5'].map((v) => ({
          topic: input,
          partition: 0,
          value: Buffer.from(v),
        })),
      });

      const consumer = new Consumer({
        clientId: 'spike-b',
        groupId,
        bootstrapBrokers,
        isolationLevel: READ_COMMITTED,
      });
      closers.push(() => consumer.close());
      const stream = await consumer.consume({
        topics: [input],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
        maxWaitTime: 100,
      });
      const consumed: Message[] = [];
      for await (const message of stream) {
        consumed.push(message as Message);
        if (consumed.length === 5) break;
      }
      await stream.close();
      assert.ok(consumer.generationId > 0 && consumer.memberId !== null, 'joined the group');

      const producer = transactionalProducer(uniqueName('spike-b-txn'));
      const transaction = await producer.beginTransaction();
      await transaction.send({
        messages: consumed.map((m) => ({
          topic: output,
          partition: 0,
          value: Buffer.from(m.value.toString().toUpperCase()),
        })),
      });
      await transaction.addConsumer(consumer);
      const last = consumed.at(-1);
      assert.ok(last);
      await transaction.addOffset(last); // TxnOffsetCommit v4+: group id, generation, member id
      await transaction.commit();

      const committed = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      const partition = committed[0]?.topics.find((t) => t.name === input)?.partitions[0];
      assert.equal(partition?.committedOffset, 5n);
      assert.deepEqual(await readRaw(engineReader(), output, 0, READ_COMMITTED), [
        'X1',
        'X2',
        'X3',
        'X4',
        'X5',
      ]);

      // A zombie with a stale generation is rejected by the group coordinator (KIP-447).
      const zombie = transactionalProducer(uniqueName('spike-b-zombie'));
      const zombieTxn = await zombie.beginTransaction();
      await zombieTxn.send({
        messages: [{ topic: output, partition: 0, value: Buffer.from('zombie') }],
      });
      await zombieTxn.addConsumer(consumer);
      const stale = {
        ...last,
        metadata: {
          consumer: {
            ...(last.metadata.consumer as object),
            generationId: consumer.generationId + 100,
          },
        },
      } as unknown as Message;
      const error = await zombieTxn.addOffset(stale).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error !== null, 'stale generation must be rejected');
      assert.ok(
        protocolErrorIds(error).has('ILLEGAL_GENERATION'),
        [...protocolErrorIds(error)].join(),
      );
      await zombieTxn.abort();
      const after = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      assert.equal(
        after[0]?.topics.find((t) => t.name === input)?.partitions[0]?.committedOffset,
        5n,
      );
    });

    test('(b) standalone transactional offset commit (generation -1, no membership) for engine-managed readers', async () => {
      const input = await newTopic('spike-b2-in');
      const output = await newTopic('spike-b2-out');
      const groupId = uniqueName('spike-b2-group');
      const { nodeId } = (await admin.findCoordinator({ keyType: 0, keys: [groupId] }))[0] ?? {
        nodeId: -1,
      };
      const producer = transactionalProducer(uniqueName('spike-b2-txn'));
      for (const [next, commit] of [
        [7n, true],
        [9n, false],
      ] as const) {
        const transaction = await producer.beginTransaction();
        await transaction.send({
          messages: [{ topic: output, partition: 0, value: Buffer.from(`at-${next}`) }],
        });
        await transaction.addConsumer({ groupId } as unknown as Consumer);
        await transaction.addOffset({
          topic: input,
          partition: 0,
          offset: next - 1n,
          metadata: {
            consumer: { groupId, generationId: -1, memberId: '', coordinatorId: nodeId },
          },
        } as unknown as Message);
        await (commit ? transaction.commit() : transaction.abort());
      }
      const committed = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      assert.equal(
        committed[0]?.topics.find((t) => t.name === input)?.partitions[0]?.committedOffset,
        7n,
      );
      assert.deepEqual(await readRaw(engineReader(), output, 0, READ_COMMITTED), ['at-7']);
    });

    test('(c) a second producer with the same transactional id fences the first', async () => {
      const topic = await newTopic('spike-c');
      const transactionalId = uniqueName('spike-c-txn');
      const first = transactionalProducer(transactionalId);
      const firstTxn = await first.beginTransaction();
      await firstTxn.send({
        messages: [{ topic, partition: 0, value: Buffer.from('from-first') }],
      });

      const second = transactionalProducer(transactionalId);
      await commitTransaction(second, topic, ['from-second'], true);
      assert.ok((second.producerEpoch ?? -1) > (first.producerEpoch ?? -1));

      const error = await firstTxn.commit().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error !== null, 'the fenced producer must not commit');
      assert.ok(
        protocolErrorIds(error).has('PRODUCER_FENCED'),
        [...protocolErrorIds(error)].join(),
      );
      assert.deepEqual(await readRaw(engineReader(), topic, 0, READ_COMMITTED), ['from-second']);
    });

    test('(c) defect: without producerId -1 / epoch -1, InitProducerId of a second instance is refused', async () => {
      const topic = await newTopic('spike-c2');
      // Make sure the transactional id is bound to a producer id other than 0.
      const burner = transactionalProducer(uniqueName('spike-c2-burner'));
      await commitTransaction(burner, topic, ['burn'], true);
      const transactionalId = uniqueName('spike-c2-txn');
      const options = { clientId: 'spike-c2', bootstrapBrokers, idempotent: true, transactionalId };
      const first = new Producer(options);
      closers.push(() => first.close());
      await commitTransaction(first, topic, ['one'], true);
      assert.notEqual(first.producerId, 0n);
      const second = new Producer(options); // library defaults: producerId 0n, producerEpoch 0
      closers.push(() => second.close());
      const error = await second.beginTransaction().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error !== null);
      assert.ok(
        protocolErrorIds(error).has('PRODUCER_FENCED'),
        [...protocolErrorIds(error)].join(),
      );
    });

    test('(c) defect: ending a transaction that wrote nothing fails with INVALID_TXN_STATE', async () => {
      const producer = transactionalProducer(uniqueName('spike-c3-txn'));
      const transaction = await producer.beginTransaction();
      const error = await transaction.commit().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(protocolErrorIds(error).has('INVALID_TXN_STATE'));
      await transaction.cancel(); // local reset: the next transaction works
      const topic = await newTopic('spike-c3');
      await commitTransaction(producer, topic, ['ok'], true);
    });

    test('(d) a transaction left open by a SIGKILLed process is aborted by the next InitProducerId', async (t) => {
      const topic = await newTopic('spike-d');
      const transactionalId = uniqueName('spike-d-txn');
      const killed = await leaveLingeringTransaction(bootstrap, topic, transactionalId, 5);
      assert.equal(killed.signal, 'SIGKILL');

      const reader = engineReader();
      const lso = async () =>
        (await reader.listOffsets({ topics: [topic], isolationLevel: READ_COMMITTED })).get(
          topic,
        )?.[0];
      const hw = async () =>
        (await reader.listOffsets({ topics: [topic], isolationLevel: READ_UNCOMMITTED })).get(
          topic,
        )?.[0];
      assert.equal(await hw(), 5n);
      assert.equal(await lso(), 0n, 'the open transaction pins the last stable offset');
      assert.equal((await readRaw(reader, topic, 0, READ_UNCOMMITTED)).length, 5);

      const started = Date.now();
      const successor = transactionalProducer(transactionalId);
      const transaction = await successor.beginTransaction(); // InitProducerId: fences and aborts
      // The child's transaction timeout is 15 min: only the InitProducerId can abort it within
      // this wait, so the test asserts nothing about elapsed time.
      await waitFor(async () => (await lso()) === 6n, {
        timeoutMs: 300_000,
        message: 'the abort marker moves the last stable offset past the lingering records',
      });
      const elapsed = Date.now() - started;
      t.diagnostic(
        `lingering transaction aborted ${elapsed} ms after the successor's InitProducerId`,
      );
      await transaction.send({
        messages: [{ topic, partition: 0, value: Buffer.from('successor') }],
      });
      await transaction.commit();
      assert.deepEqual(await readRaw(reader, topic, 0, READ_COMMITTED), ['successor']);
    });

    test('(e) engine-managed reads: fetch() one partition from an offset, no group; list offsets', async () => {
      const topic = await newTopic('spike-e', 3);
      const producer = new Producer({
        clientId: 'spike-e',
        bootstrapBrokers,
        idempotent: true,
        producerId: -1n,
        producerEpoch: -1,
      });
      closers.push(() => producer.close());
      const base = 1_700_000_000_000n;
      await producer.send({
        messages: Array.from({ length: 10 }, (_, i) => ({
          topic,
          partition: 1,
          value: Buffer.from(`p1-${i}`),
          timestamp: base + BigInt(i) * 1000n,
        })),
      });
      await producer.send({
        messages: [{ topic, partition: 2, value: Buffer.from('p2-0'), timestamp: base }],
      });

      const groupId = uniqueName('spike-e-never-joins');
      const reader = new Consumer({ clientId: 'spike-e-reader', groupId, bootstrapBrokers });
      closers.push(() => reader.close());
      const metadata = await reader.metadata({ topics: [topic] });
      const info = metadata.topics.get(topic);
      assert.ok(info);
      const leader = info.partitions[1]?.leader ?? -1;
      const response = await reader.fetch({
        node: leader,
        maxWaitTime: 50,
        topics: [
          {
            topicId: info.id,
            partitions: [
              {
                partition: 1,
                currentLeaderEpoch: -1,
                fetchOffset: 5n,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      });
      const p = response.responses[0]?.partitions[0];
      assert.ok(p);
      assert.equal(p.partitionIndex, 1);
      assert.equal(p.highWatermark, 10n);
      // Fetch returns whole batches: the batch starting at offset 0 comes back in full.
      assert.equal(p.records?.[0]?.firstOffset, 0n);
      const decoded = decodePartitionRecords(
        topic,
        1,
        5,
        p.records ?? [],
        p.abortedTransactions,
        'read_uncommitted',
      );
      assert.deepEqual(
        decoded.records.map((r) => [r.offset, r.value?.toString(), r.timestamp]),
        [5, 6, 7, 8, 9].map((i) => [i, `p1-${i}`, Number(base) + i * 1000]),
      );
      assert.equal(decoded.nextOffset, 10);
      // No group was joined or created.
      assert.equal(reader.memberId, null);
      assert.equal(reader.assignments, null);
      assert.equal((await admin.listGroups()).has(groupId), false);

      // Offsets: earliest, latest, by timestamp (the first record at or after it).
      const earliest = await reader.listOffsets({
        topics: [topic],
        timestamp: ListOffsetTimestamps.EARLIEST,
      });
      const latest = await reader.listOffsets({
        topics: [topic],
        timestamp: ListOffsetTimestamps.LATEST,
      });
      assert.deepEqual(earliest.get(topic), [0n, 0n, 0n]);
      assert.deepEqual(latest.get(topic), [0n, 10n, 1n]);
      const byTime = await reader.listOffsetsWithTimestamps({
        topics: [topic],
        partitions: { [topic]: [1] },
        timestamp: base + 2500n,
      });
      assert.deepEqual(byTime.get(topic)?.get(1), { offset: 3n, timestamp: base + 3000n });
      const listed = await admin.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 1, timestamp: base + 99_000n }] }],
      });
      assert.equal(listed[0]?.partitions[0]?.offset, -1n, 'no record that late: -1');
    });

    test('defect: concurrent send() calls of one idempotent producer silently lose records', async () => {
      const topic = await newTopic('spike-f');
      const producer = new Producer({
        clientId: 'spike-f',
        bootstrapBrokers,
        idempotent: true,
        producerId: -1n,
        producerEpoch: -1,
      });
      closers.push(() => producer.close());
      await producer.send({ messages: [{ topic, partition: 0, value: Buffer.from('first') }] });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          producer.send({
            messages: Array.from({ length: 10 }, (_, j) => ({
              topic,
              partition: 0,
              value: Buffer.from(`s${i}-${j}`),
            })),
          }),
        ),
      );
      // Every send reports success...
      assert.deepEqual(
        results.map((r) => r.status),
        Array.from({ length: 8 }, () => 'fulfilled'),
      );
      // ...but batches built concurrently reuse sequence numbers, and the broker drops them as
      // duplicates: fewer than the 81 records sent are in the log.
      const end = await engineReader().listOffsets({
        topics: [topic],
        isolationLevel: READ_UNCOMMITTED,
      });
      const written = end.get(topic)?.[0] ?? -1n;
      assert.ok(written < 81n, `expected lost records, found ${written} of 81`);
    });

    test('throughput: produce and fetch 100-byte records (figures for the ADR)', async (t) => {
      const topic = await newTopic('spike-tp');
      const total = 200_000;
      const perSend = 2000;
      const value = Buffer.alloc(100, 'x');
      const producer = new Producer({
        clientId: 'spike-tp',
        bootstrapBrokers,
        idempotent: true,
        producerId: -1n,
        producerEpoch: -1,
      });
      closers.push(() => producer.close());
      await producer.send({ messages: [{ topic, partition: 0, value }] }); // connect + init first
      // One send at a time: concurrent sends lose records (see the test above).
      const produceStarted = process.hrtime.bigint();
      for (let sent = 0; sent < total; sent += perSend) {
        await producer.send({
          messages: Array.from({ length: perSend }, () => ({ topic, partition: 0, value })),
        });
      }
      const produceSeconds = Number(process.hrtime.bigint() - produceStarted) / 1e9;

      const reader = engineReader();
      const { id, leader } = await topicInfo(reader, topic);
      const consumeStarted = process.hrtime.bigint();
      let offset = 1;
      let records = 0;
      while (offset < total + 1) {
        const response = await reader.fetch({
          node: leader,
          maxWaitTime: 100,
          maxBytes: 8 << 20,
          topics: [
            {
              topicId: id,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: BigInt(offset),
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 8 << 20,
                },
              ],
            },
          ],
        });
        const p = response.responses[0]?.partitions[0];
        assert.ok(p);
        const decoded = decodePartitionRecords(
          topic,
          0,
          offset,
          p.records ?? [],
          p.abortedTransactions,
          'read_uncommitted',
        );
        records += decoded.records.length;
        offset = decoded.nextOffset;
      }
      const consumeSeconds = Number(process.hrtime.bigint() - consumeStarted) / 1e9;
      assert.equal(records, total);
      const line =
        `produce ${Math.round(total / produceSeconds)} records/s (idempotent, acks=all, ` +
        `${perSend} records per send, one send at a time); fetch+decode ` +
        `${Math.round(total / consumeSeconds)} records/s (100-byte values, ${total} records)`;
      t.diagnostic(line);
      process.stdout.write(`# throughput: ${line}\n`);
    });
  },
);
