/**
 * A broker restart in the middle of a job: a Kafka → map → Kafka job (checkpoints) reads a slowly
 * produced input while the broker is restarted; the job recovers (restart strategy, restore,
 * recovery commit). With the exactly-once sink a `read_committed` consumer of the output sees
 * every input record exactly once; with the at-least-once sink on the producer worker thread
 * every input record is in the output (duplicates allowed).
 *
 * The test restarts a broker of its own (on free ports, a temporary data directory), so the shared
 * broker of the other Kafka test files is not disturbed; it is stopped at the end.
 *
 * Run: node scripts/run-tests.mjs broker-restart
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
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
  type KafkaClientFactory,
} from '../../src/connectors/kafka/index.ts';
import { createTopic, startPrivateKafka, uniqueName } from '../support/kafka-broker.ts';
import { waitFor } from '../support/wait-for.ts';
import { jsonRecords, produce, readAll } from './kafka-support.ts';

const PORT = process.env['EDDY_KAFKA_RESTART_PORT'];
const RECORDS = 900;
const CHUNK = 30;

const dataDir = mkdtempSync(join(tmpdir(), 'eddy-kafka-restart-'));
const kafka = await startPrivateKafka(PORT ? Number(PORT) : undefined, dataDir);
const skip = 'skip' in kafka ? kafka.skip : false;

/** Records of `topic` visible (read_committed for exactly-once: the last stable offsets). */
async function committedCount(
  bootstrap: string,
  topic: string,
  guarantee: DeliveryGuarantee,
): Promise<number> {
  const client = new PlatformaticKafkaClient({ bootstrapBrokers: [bootstrap], clientId: 'probe' });
  try {
    const partitions = await client.listPartitions({ topics: [topic] });
    const isolation = guarantee === 'exactly-once' ? 'read_committed' : 'read_uncommitted';
    const ends = await client.listOffsets(partitions, 'latest', isolation);
    return ends.reduce((sum, e) => sum + e.offset, 0);
  } finally {
    await client.close();
  }
}

describe('Kafka job across a broker restart', { skip }, () => {
  after(async () => {
    if (!('skip' in kafka)) await kafka.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('exactly-once: every record once after the broker restarts mid-job', (t) =>
    acrossRestart(t, 'exactly-once', defaultKafkaClientFactory));

  test('at-least-once on the producer worker thread: no record lost across the restart', (t) =>
    acrossRestart(t, 'at-least-once', (servers, clientId) => {
      return new PlatformaticKafkaClient({
        bootstrapBrokers: servers,
        clientId,
        producerThread: 'worker',
      });
    }));
});

/** Runs the job across a broker restart and checks its output for the guarantee. */
async function acrossRestart(
  t: TestContext,
  guarantee: DeliveryGuarantee,
  clientFactory: KafkaClientFactory,
): Promise<void> {
  if ('skip' in kafka) return;
  const { bootstrap } = kafka;
  const input = await createTopic(bootstrap, uniqueName('restart-in'), 2);
  const output = await createTopic(bootstrap, uniqueName('restart-out'), 2);
  // Without jsonRecords' 2023 timestamps: the sink keeps a record's timestamp, and retention
  // (7 days by timestamp) could delete the output's segments before they are read.
  const records = jsonRecords(input, RECORDS, 2).map(({ timestamp: _old, ...r }) => r);
  const checkpoints = mkdtempSync(join(tmpdir(), 'eddy-kafka-restart-chk-'));
  t.after(() => rmSync(checkpoints, { recursive: true, force: true }));

  const env = StreamEnvironment.create({
    parallelism: 2,
    checkpointInterval: 200,
    checkpointDir: checkpoints,
    restartStrategy: { type: 'fixed-delay', attempts: 30, delay: 500 },
    handleSignals: false,
  });
  env
    .fromSource(
      KafkaSource.builder<{ i: number }>()
        .setBootstrapServers(bootstrap)
        .setTopics(input)
        // Bounded at offsets not yet written: the job ends once the whole input is read.
        .setBounded(
          OffsetsInitializer.offsets([
            { topic: input, partition: 0, offset: RECORDS / 2 },
            { topic: input, partition: 1, offset: RECORDS / 2 },
          ]),
        )
        .setProperty('fetch.max.wait.ms', 100)
        .setValueOnlyDeserializer(new JsonDeserializationSchema<{ i: number }>())
        .build(),
    )
    .uid('source')
    .map((v) => ({ i: v.i, doubled: v.i * 2 }))
    .uid('map')
    .sinkTo(
      KafkaSink.builder<{ i: number; doubled: number }>()
        .setBootstrapServers(bootstrap)
        .setRecordSerializer(
          KafkaRecordSerializationSchema.builder<{ i: number; doubled: number }>()
            .setTopic(output)
            .setValueSerializationSchema(new JsonSerializationSchema())
            .build(),
        )
        .setDeliveryGuarantee(guarantee)
        .setClientFactory(clientFactory)
        .setTransactionalIdPrefix(uniqueName('restart-txn'))
        .build(),
    )
    .uid('sink');
  const job = env.execute('broker-restart');
  // Surface a job failure at once instead of after the producer's deadline.
  let failed: unknown;
  job.catch((e: unknown) => (failed = e));

  /** Produces a chunk, retrying while the broker is away. */
  const produceChunk = (from: number) =>
    waitFor(
      async () => {
        if (failed !== undefined) throw new Error('the job failed', { cause: failed });
        await produce(bootstrap, records.slice(from, from + CHUNK));
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: `produce records ${from}..` },
    );

  let next = 0;
  // A third of the input, slowly; then wait until the job committed output.
  for (; next < RECORDS / 3; next += CHUNK) await produceChunk(next);
  await waitFor(async () => (await committedCount(bootstrap, output, guarantee)) > 0, {
    timeoutMs: 30_000,
    message: 'the job commits output before the restart',
  });
  const restartedAt = Date.now();
  await kafka.restart();
  t.diagnostic(`broker restarted in ${Date.now() - restartedAt} ms`);
  for (; next < RECORDS; next += CHUNK) await produceChunk(next);
  await job;

  const exactlyOnce = guarantee === 'exactly-once';
  const out = (
    await readAll(bootstrap, output, exactlyOnce ? 'read_committed' : 'read_uncommitted')
  ).map((r) => JSON.parse(String(r.value)) as { i: number; doubled: number });
  let seen = out.map((v) => v.i).sort((a, b) => a - b);
  const duplicates = seen.filter((v, k) => k > 0 && seen[k - 1] === v);
  if (exactlyOnce) assert.deepEqual(duplicates, [], 'no duplicates');
  else t.diagnostic(`${duplicates.length} duplicates (at-least-once)`);
  seen = [...new Set(seen)];
  assert.deepEqual(
    seen,
    Array.from({ length: RECORDS }, (_, i) => i),
  );
  assert.ok(out.every((v) => v.doubled === v.i * 2));
}
