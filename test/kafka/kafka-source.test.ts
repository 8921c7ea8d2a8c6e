/**
 * KafkaSource against a real broker: partitions across parallelism, bounded mode, starting
 * offsets, restore from snapshotted offsets, dead letters of malformed JSON / Protobuf / Avro.
 *
 * Run: node --import tsx --test test/kafka/kafka-source.test.ts
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CollectSink } from '../../src/connectors/collect/collect-sink.ts';
import {
  DEAD_LETTERS,
  EddyError,
  StreamEnvironment,
  ValueStateDescriptor,
  type DeadLetter,
} from '../../src/index.ts';
import {
  AvroDeserializationSchema,
  AvroSerializationSchema,
  JsonDeserializationSchema,
  KafkaSource,
  OffsetsInitializer,
  ProtobufDeserializationSchema,
  ProtobufSerializationSchema,
  splitOwner,
  type KafkaDeadLetter,
  type KafkaSourceState,
} from '../../src/connectors/kafka/index.ts';
import type { SourceOutput, SourceReaderContext } from '../../src/core/connector-spi.ts';
import { MetricsRegistry } from '../../src/metrics/metrics-registry.ts';
import { createRuntimeProperties } from '../../src/core/create-runtime-properties.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import { jsonRecords, produce } from './kafka-support.ts';

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';
const topics: string[] = [];

async function topicWith(partitions: number, count: number): Promise<string> {
  const topic = await createTopic(bootstrap, uniqueName('src'), partitions);
  topics.push(topic);
  if (count > 0) await produce(bootstrap, jsonRecords(topic, count, partitions));
  return topic;
}

function source(topic: string, starting = OffsetsInitializer.earliest()) {
  return KafkaSource.builder<{ i: number }>()
    .setBootstrapServers(bootstrap)
    .setTopics(topic)
    .setStartingOffsets(starting)
    .setValueOnlyDeserializer(new JsonDeserializationSchema<{ i: number }>())
    .setBounded(OffsetsInitializer.latest());
}

/**
 * Reads a bounded source with a reader driven by hand (no job), returning values and state; with
 * `limit`, stops (as a failing job would) once that many records were read.
 */
async function drain<T>(src: KafkaSource<T>, state?: KafkaSourceState, limit = Infinity) {
  const values: T[] = [];
  const letters: DeadLetter[] = [];
  const ctx: SourceReaderContext = {
    sourceName: 'test',
    subtaskIndex: 0,
    parallelism: 1,
    metrics: new MetricsRegistry().group({}),
    properties: createRuntimeProperties({}),
    currentTime: () => Date.now(),
    signal: new AbortController().signal,
  };
  const reader = src.createReader(ctx);
  if (state !== undefined) reader.restoreState?.(state);
  await reader.start?.();
  const output: SourceOutput<T> = {
    collect: (v) => void values.push(v),
    deadLetter: (l) => void letters.push(l),
    get remaining() {
      return Math.min(100, limit - values.length);
    },
  };
  while (values.length < limit) {
    const status = reader.pollNext(output);
    if (status === 'END_OF_INPUT') break;
    if (status === 'NOTHING_AVAILABLE') await reader.isAvailable();
  }
  const snapshot = reader.snapshotState?.(1) as KafkaSourceState;
  await reader.close?.();
  return { values, letters, snapshot };
}

describe('KafkaSource', { skip }, () => {
  after(() => deleteTopics(bootstrap, topics));

  test('splits partitions across subtasks with Flink formula', () => {
    const owners = [0, 1, 2, 3].map((partition) => splitOwner({ topic: 'orders', partition }, 2));
    assert.deepEqual(owners.sort(), [0, 0, 1, 1]);
  });

  test('reads every partition exactly once across parallelism 2, then stops (bounded)', async () => {
    const topic = await topicWith(4, 400);
    const env = StreamEnvironment.create({ parallelism: 2 });
    const values = await env
      .fromSource(source(topic).build())
      .map((v) => v.i)
      .executeAndCollect();
    assert.deepEqual(
      values.sort((a, b) => a - b),
      Array.from({ length: 400 }, (_, i) => i),
    );
  });

  test('starting offsets: latest reads nothing, timestamp skips earlier records', async () => {
    const topic = await topicWith(2, 100);
    const latest = await drain(source(topic, OffsetsInitializer.latest()).build());
    assert.equal(latest.values.length, 0);
    const fromTs = await drain(
      source(topic, OffsetsInitializer.timestamp(1_700_000_000_000 + 60)).build(),
    );
    assert.deepEqual(
      fromTs.values.map((v) => v.i).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 60),
    );
  });

  test('committed offsets with fallback, and restore from snapshotted offsets', async () => {
    const topic = await topicWith(2, 60);
    const first = await drain(
      source(topic, OffsetsInitializer.committedOffsets('earliest'))
        .setGroupId(uniqueName('g'))
        .build(),
    );
    assert.equal(first.values.length, 60);
    assert.deepEqual(first.snapshot.offsets, { [`${topic}-0`]: 30, [`${topic}-1`]: 30 });
    await produce(
      bootstrap,
      jsonRecords(topic, 60, 2).map((r, i) => ({
        ...r,
        value: Buffer.from(JSON.stringify({ i: 100 + i })),
      })),
    );
    // The snapshot keeps the stop offsets of the bounded run: restoring it ends where that run
    // ended (Flink keeps them in the split), so the records produced since are not read...
    assert.deepEqual(first.snapshot.stops, { [`${topic}-0`]: 30, [`${topic}-1`]: 30 });
    const restored = await drain(source(topic).build(), first.snapshot);
    assert.deepEqual(restored.values, []);
    // ...while offsets alone (an unbounded run's state, or one saved before stops were kept)
    // resume there and stop at the latest offsets of this start.
    const resumed = await drain(source(topic).build(), { offsets: first.snapshot.offsets });
    assert.deepEqual(
      resumed.values.map((v) => v.i).sort((a, b) => a - b),
      Array.from({ length: 60 }, (_, i) => 100 + i),
    );
  });

  test('a bounded source restored mid-way stops at the offsets of its first start', async () => {
    const topic = await topicWith(2, 100);
    // A run that "fails" after 40 records: its state is what a checkpoint would hold.
    const partial = await drain(source(topic).build(), undefined, 40);
    const read = Object.values(partial.snapshot.offsets).reduce((a, b) => a + b, 0);
    assert.equal(read, 40);
    assert.equal(partial.values.length, 40);
    assert.deepEqual(partial.snapshot.stops, { [`${topic}-0`]: 50, [`${topic}-1`]: 50 });
    // Records arrive after the failure and before the restore.
    await produce(
      bootstrap,
      jsonRecords(topic, 50, 2).map((r, i) => ({
        ...r,
        value: Buffer.from(JSON.stringify({ i: 1000 + i })),
      })),
    );
    const rest = await drain(source(topic).build(), partial.snapshot);
    // Together exactly the 100 records the uninterrupted run would have read, none of the new.
    assert.deepEqual(
      [...partial.values, ...rest.values].map((v) => v.i).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  test('malformed JSON, truncated Protobuf and wrong-schema Avro land in dead letters with offsets', async () => {
    const topic = await topicWith(1, 0);
    const proto = {
      proto: 'syntax = "proto3"; message Click { string user = 1; int64 ts = 2; }',
      messageType: 'Click',
    };
    const click = new ProtobufSerializationSchema<{ user: string; ts: number }>(proto).serialize({
      user: 'alice',
      ts: 42,
    });
    const avroWriter = new AvroSerializationSchema<{ name: string }>({
      type: 'record',
      name: 'A',
      fields: [{ name: 'name', type: 'string' }],
    });
    await produce(bootstrap, [
      { topic, partition: 0, value: Buffer.from('{"i":1}') },
      { topic, partition: 0, key: Buffer.from('k'), value: Buffer.from('{"i":') },
      { topic, partition: 0, value: Buffer.from(click) },
      { topic, partition: 0, value: Buffer.from(click.subarray(0, 4)) },
      { topic, partition: 0, value: Buffer.from(avroWriter.serialize({ name: 'x' })) },
    ]);
    const json = await drain(source(topic).build());
    assert.deepEqual(json.values, [{ i: 1 }]);
    assert.deepEqual(
      json.letters.map((l) => l.position),
      [`${topic}-0@1`, `${topic}-0@2`, `${topic}-0@3`, `${topic}-0@4`],
    );
    const jsonLetter = json.letters[0] as KafkaDeadLetter;
    assert.equal(jsonLetter.key?.toString(), 'k');
    assert.equal(Buffer.from(jsonLetter.raw).toString(), '{"i":');
    assert.equal(jsonLetter.offset, 1);

    const protoRead = await drain(
      KafkaSource.builder<{ user: string; ts: number }>()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setValueOnlyDeserializer(new ProtobufDeserializationSchema(proto))
        .setBounded(OffsetsInitializer.latest())
        .setStartingOffsets(OffsetsInitializer.offsets([{ topic, partition: 0, offset: 2 }]))
        .build(),
    );
    assert.deepEqual(protoRead.values[0], { user: 'alice', ts: 42 });
    assert.ok(
      protoRead.letters.some((l) => l.position === `${topic}-0@3`),
      'truncated protobuf',
    );

    const avroRead = await drain(
      KafkaSource.builder<unknown>()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setValueOnlyDeserializer(
          new AvroDeserializationSchema({
            type: 'record',
            name: 'B',
            fields: [
              { name: 'id', type: 'long' },
              { name: 'tags', type: { type: 'array', items: 'string' } },
            ],
          }),
        )
        .setBounded(OffsetsInitializer.latest())
        .setStartingOffsets(OffsetsInitializer.offsets([{ topic, partition: 0, offset: 4 }]))
        .build(),
    );
    assert.deepEqual(avroRead.values, []);
    assert.deepEqual(
      avroRead.letters.map((l) => l.position),
      [`${topic}-0@4`],
    );
  });

  test('dead letters reach the DEAD_LETTERS side output in a job and the job goes on', async () => {
    const topic = await topicWith(1, 0);
    await produce(bootstrap, [
      { topic, partition: 0, value: Buffer.from('{"i":1}') },
      { topic, partition: 0, value: Buffer.from('not json') },
      { topic, partition: 0, value: Buffer.from('{"i":2}') },
    ]);
    const env = StreamEnvironment.create();
    const records = env.fromSource(source(topic).build());
    const dead = new CollectSink<DeadLetter>();
    records.getSideOutput(DEAD_LETTERS).sinkTo(dead);
    const good = await records.map((v) => v.i).executeAndCollect();
    assert.deepEqual(good, [1, 2]);
    assert.deepEqual(
      dead.values.map((l) => l.position),
      [`${topic}-0@1`],
    );
  });

  // Issue #17 defect 3: the reader's catch around deserialize-and-collect also caught what the
  // operators downstream threw, so a failing function became a dead letter and the job went on.
  test('a function downstream that throws fails the job, naming the record; it is no dead letter', async () => {
    const topic = await topicWith(1, 30);
    for (const failOnMalformedInput of [false, true]) {
      const env = StreamEnvironment.create({ failOnMalformedInput });
      const records = env.fromSource(source(topic).build());
      const dead = new CollectSink<DeadLetter>();
      records.getSideOutput(DEAD_LETTERS).sinkTo(dead);
      let count = 0;
      records
        .keyBy(() => 'all')
        .map((v, ctx) => {
          const seen = ctx.getState(new ValueStateDescriptor<number>('seen'));
          seen.update((seen.value() ?? 0) + 1);
          count = seen.value() ?? 0;
          if (v.i === 12) throw new Error('bug in the map');
          return v.i;
        })
        .sinkTo(new CollectSink());
      await assert.rejects(env.execute(), (e: unknown) => {
        assert.ok(e instanceof EddyError, String(e));
        assert.equal(e.code, 'USER_FUNCTION_FAILED', e.message);
        assert.deepEqual(e.record, {
          key: 'all',
          timestamp: 1_700_000_000_012,
          position: `${topic}-0@12`,
        });
        return true;
      });
      assert.equal(count, 13);
      assert.deepEqual(dead.values, []);
    }
  });
});
