/**
 * KafkaSink against a real broker: at-least-once, exactly-once in bounded and checkpointed jobs,
 * aborted transactions invisible, recovery commit of a pre-committed transaction after a
 * "crash", lingering transactions aborted on restart.
 *
 * Run: node --import tsx --test test/kafka/kafka-sink.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StreamEnvironment } from '../../src/index.ts';
import {
  JsonDeserializationSchema,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  PlatformaticKafkaClient,
  defaultKafkaClientFactory,
  type DeliveryGuarantee,
  type IdempotentProducer,
  type IdempotentProducerOptions,
  type KafkaClientFactory,
  type KafkaCommittable,
} from '../../src/connectors/kafka/index.ts';
import { WorkerIdempotentProducer } from '../../src/connectors/kafka/client/worker-idempotent-producer.ts';
import { EddyError } from '../../src/errors/eddy-error.ts';
import type { SinkWriter, SinkWriterContext } from '../../src/core/connector-spi.ts';
import { MetricsRegistry } from '../../src/metrics/metrics-registry.ts';
import { createRuntimeProperties } from '../../src/core/create-runtime-properties.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import { jsonRecords, produce, readAll } from './kafka-support.ts';

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';
const topics: string[] = [];
const dirs: string[] = [];

async function newTopic(partitions: number): Promise<string> {
  const topic = await createTopic(bootstrap, uniqueName('sink'), partitions);
  topics.push(topic);
  return topic;
}

function sink(
  topic: string,
  guarantee: DeliveryGuarantee,
  prefix = uniqueName('txn'),
  clientFactory: KafkaClientFactory = defaultKafkaClientFactory,
) {
  return KafkaSink.builder<{ i: number }>()
    .setBootstrapServers(bootstrap)
    .setClientFactory(clientFactory)
    .setRecordSerializer(
      KafkaRecordSerializationSchema.builder<{ i: number }>()
        .setTopic(topic)
        .setValueSerializationSchema(new JsonSerializationSchema())
        .setKeySerializationSchema((v) => Buffer.from(String(v.i % 7)))
        .setHeaders((v) => [{ key: 'parity', value: Buffer.from(v.i % 2 === 0 ? 'even' : 'odd') }])
        .build(),
    )
    .setDeliveryGuarantee(guarantee)
    .setTransactionalIdPrefix(prefix)
    .build();
}

function writerOf(s: KafkaSink<{ i: number }>) {
  const ctx: SinkWriterContext = {
    sinkName: 'kafka-test',
    subtaskIndex: 0,
    parallelism: 1,
    metrics: new MetricsRegistry().group({}),
    properties: createRuntimeProperties({}),
    functionContext: undefined as never,
    checkpointing: true,
  };
  return s.createWriter(ctx) as SinkWriter<{ i: number }, KafkaCommittable>;
}

function values(records: readonly { value: Buffer | null }[]): number[] {
  return records.map((r) => (JSON.parse(String(r.value)) as { i: number }).i).sort((a, b) => a - b);
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** Clients whose idempotent producers run on a worker thread, or on the calling thread. */
const clientsOn =
  (producerThread: 'worker' | 'caller'): KafkaClientFactory =>
  (servers, clientId) =>
    new PlatformaticKafkaClient({ bootstrapBrokers: servers, clientId, producerThread });

/** A client whose producer worker thread exits when the first records reach it. */
class CrashingWorkerClient extends PlatformaticKafkaClient {
  constructor(
    servers: readonly string[],
    private readonly clientId: string,
  ) {
    super({ bootstrapBrokers: servers, clientId });
  }
  override createIdempotentProducer(options: IdempotentProducerOptions = {}): IdempotentProducer {
    const connection = {
      clientId: this.clientId,
      bootstrapBrokers: [bootstrap],
      requestTimeoutMs: 30_000,
    };
    return new WorkerIdempotentProducer(connection, options, { crashAfterFrames: 0 });
  }
}

describe('KafkaSink', { skip }, () => {
  after(async () => {
    await deleteTopics(bootstrap, topics);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('at-least-once: every record with key and headers', async () => {
    const topic = await newTopic(3);
    const env = StreamEnvironment.create();
    env.fromCollection(range(500).map((i) => ({ i }))).sinkTo(sink(topic, 'at-least-once'));
    await env.execute();
    const out = await readAll(bootstrap, topic, 'read_uncommitted');
    assert.deepEqual(values(out), range(500));
    const first = out.find((r) => r.offset === 0);
    assert.ok(first?.key !== null && first?.headers[0]?.key === 'parity');
  });

  for (const thread of ['worker', 'caller'] as const) {
    test(`at-least-once, producer on the ${thread} thread: the flush at a barrier covers every record handed over`, async () => {
      const topic = await newTopic(3);
      const writer = writerOf(sink(topic, 'at-least-once', undefined, clientsOn(thread)));
      await writer.open?.();
      try {
        // Many small writes: several frames in flight to the worker when the barrier comes.
        for (let from = 0; from < 3000; from += 100) {
          const batch = range(100, from).map((i) => ({ i }));
          await writer.write(batch, new Array<number>(100).fill(NaN), 100);
        }
        assert.deepEqual(await writer.preCommit?.(1), []);
        // No close: what the barrier's flush waited for is on the broker now.
        assert.deepEqual(values(await readAll(bootstrap, topic, 'read_uncommitted')), range(3000));
      } finally {
        await writer.close?.();
      }
    });
  }

  test('a producer worker thread that dies fails the job with a clear error', async () => {
    const topic = await newTopic(1);
    const env = StreamEnvironment.create();
    env
      .fromCollection(range(2000).map((i) => ({ i })))
      .sinkTo(
        sink(
          topic,
          'at-least-once',
          undefined,
          (servers, id) => new CrashingWorkerClient(servers, id),
        ),
      );
    await assert.rejects(env.execute(), (e: unknown) => {
      assert.ok(e instanceof EddyError, String(e));
      assert.equal(e.code, 'SINK_FAILED');
      assert.match(e.message, /producer worker thread exited unexpectedly \(exit code 70\)/);
      return true;
    });
  });

  test('exactly-once in a bounded job without checkpoints commits at the end', async () => {
    const topic = await newTopic(2);
    const env = StreamEnvironment.create();
    env.fromCollection(range(300).map((i) => ({ i }))).sinkTo(sink(topic, 'exactly-once'));
    await env.execute();
    assert.deepEqual(values(await readAll(bootstrap, topic)), range(300));
  });

  test('exactly-once with checkpoints: Kafka → map → Kafka, read_committed sees each once', async () => {
    const input = await newTopic(2);
    const output = await newTopic(2);
    await produce(bootstrap, jsonRecords(input, 2000, 2));
    const dir = await mkdtemp(join(tmpdir(), 'eddy-kafka-'));
    dirs.push(dir);
    const env = StreamEnvironment.create({ checkpointInterval: 100, checkpointDir: dir });
    env
      .fromSource(
        KafkaSource.builder<{ i: number }>()
          .setBootstrapServers(bootstrap)
          .setTopics(input)
          .setValueOnlyDeserializer(new JsonDeserializationSchema())
          .setBounded(OffsetsInitializer.latest())
          .build(),
      )
      .map((v) => ({ i: v.i + 1 }))
      .sinkTo(sink(output, 'exactly-once'));
    await env.execute();
    assert.deepEqual(values(await readAll(bootstrap, output)), range(2000, 1));
  });

  test('an aborted transaction is invisible; a pre-committed one is committed after a crash', async () => {
    const topic = await newTopic(1);
    const prefix = uniqueName('crash');
    const first = writerOf(sink(topic, 'exactly-once', prefix));
    await first.open?.();
    // Checkpoint 1: pre-committed, then aborted (the checkpoint failed).
    await first.write([{ i: 1 }, { i: 2 }], [NaN, NaN], 2);
    const aborted = (await first.preCommit?.(1)) ?? [];
    await first.abort?.(aborted);
    // Checkpoint 2: pre-committed and complete, but the process dies before committing.
    await first.write([{ i: 3 }, { i: 4 }], [NaN, NaN], 2);
    const prepared = (await first.preCommit?.(2)) ?? [];
    assert.equal(prepared.length, 1);
    // Records after the barrier: in an open transaction that the crash leaves lingering.
    await first.write([{ i: 5 }], [NaN], 1);
    await new Promise((r) => setTimeout(r, 300));
    await first.close?.();

    // The restarted run: recommit the restored committable, then open (aborts the lingering one).
    const second = writerOf(sink(topic, 'exactly-once', prefix));
    await second.commit?.(prepared);
    await second.commit?.(prepared); // idempotent, as a second restore would do
    await second.open?.();
    await second.write([{ i: 6 }], [NaN], 1);
    await second.commit?.((await second.preCommit?.(3)) ?? []);
    await second.close?.();
    assert.deepEqual(values(await readAll(bootstrap, topic)), [3, 4, 6]);
    assert.deepEqual(
      values(await readAll(bootstrap, topic, 'read_uncommitted')),
      [1, 2, 3, 4, 5, 6],
    );
  });
});
