/**
 * Kafka → map → Kafka throughput, at-least-once and exactly-once (5 s checkpoints), with the
 * broker's own perf tools as the ceiling, on the broker of scripts/kafka.mjs, in one run.
 *
 * Run: node --import tsx bench/kafka.ts [records=300000]
 * Needs the kafka-tools jar next to the broker's jars (see bench/README.md, "Kafka").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamEnvironment } from '../src/index.ts';
import {
  JsonDeserializationSchema,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  type DeliveryGuarantee,
} from '../src/connectors/kafka/index.ts';
import {
  createTopic,
  deleteTopics,
  requireKafka,
  uniqueName,
} from '../test/support/kafka-broker.ts';
import { produce } from '../test/kafka/kafka-support.ts';

const N = Number(process.argv[2] ?? 300_000);
const PARTITIONS = 4;
const { bootstrap } = await requireKafka();
const home = process.env.EDDY_KAFKA_HOME ?? join(homedir(), '.cache', 'eddy', 'kafka-4.4.0');
const classpath = `${home}/libs/*:${home}/tools-libs/*`;
const topics: string[] = [];

async function topic(name: string): Promise<string> {
  const t = await createTopic(bootstrap, uniqueName(name), PARTITIONS);
  topics.push(t);
  return t;
}

function java(main: string, args: string[]): string {
  return execFileSync('java', ['-cp', classpath, main, ...args], { encoding: 'utf8' });
}

interface Row {
  readonly path: string;
  readonly recordsPerSecond: number;
}
const rows: Row[] = [];

// Ceiling: the broker's own producer and consumer (100-byte records, acks=all, idempotent).
const perf = await topic('perf');
const producerOut = java('org.apache.kafka.tools.ProducerPerformance', [
  '--topic',
  perf,
  '--num-records',
  String(N),
  '--record-size',
  '100',
  '--throughput',
  '-1',
  '--producer-props',
  `bootstrap.servers=${bootstrap}`,
  'acks=all',
]);
const producerRate = /([\d.]+) records\/sec/.exec(producerOut.trim().split('\n').at(-1) ?? '');
rows.push({
  path: 'Kafka ProducerPerformance (Java, acks=all)',
  recordsPerSecond: Number(producerRate?.[1] ?? 0),
});
const consumerOut = java('org.apache.kafka.tools.ConsumerPerformance', [
  '--bootstrap-server',
  bootstrap,
  '--topic',
  perf,
  '--messages',
  String(N),
  '--hide-header',
]);
// Columns: start, end, MB, MB/s, records, records/s, ...
const consumerRate = Number(consumerOut.trim().split('\n').at(-1)?.split(',')[5] ?? 0);
rows.push({ path: 'Kafka ConsumerPerformance (Java)', recordsPerSecond: consumerRate });

// Input for Eddy: N JSON records of ~100 bytes.
const input = await topic('bench-in');
const pad = 'x'.repeat(70);
for (let from = 0; from < N; from += 50_000) {
  await produce(
    bootstrap,
    Array.from({ length: Math.min(50_000, N - from) }, (_, k) => ({
      topic: input,
      partition: (from + k) % PARTITIONS,
      value: Buffer.from(JSON.stringify({ id: from + k, pad })),
    })),
  );
}

interface Event {
  readonly id: number;
  readonly pad: string;
}

async function eddy(guarantee: DeliveryGuarantee, checkpoints: boolean): Promise<number> {
  const output = await topic(`bench-out-${guarantee}`);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-kafka-'));
  const env = StreamEnvironment.create({
    parallelism: 1,
    ...(checkpoints ? { checkpointInterval: 5_000, checkpointDir: dir } : {}),
  });
  env
    .fromSource(
      KafkaSource.builder<Event>()
        .setBootstrapServers(bootstrap)
        .setTopics(input)
        .setValueOnlyDeserializer(new JsonDeserializationSchema<Event>())
        .setBounded(OffsetsInitializer.latest())
        .build(),
    )
    .map((e) => ({ id: e.id, pad: e.pad, even: e.id % 2 === 0 }))
    .sinkTo(
      KafkaSink.builder<Event & { even: boolean }>()
        .setBootstrapServers(bootstrap)
        .setRecordSerializer(
          KafkaRecordSerializationSchema.builder<Event & { even: boolean }>()
            .setTopic(output)
            .setValueSerializationSchema(new JsonSerializationSchema())
            .build(),
        )
        .setDeliveryGuarantee(guarantee)
        .setTransactionalIdPrefix(uniqueName('bench'))
        .build(),
    );
  const start = performance.now();
  await env.execute(`bench-kafka-${guarantee}`);
  const seconds = (performance.now() - start) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return N / seconds;
}

rows.push({
  path: 'Eddy Kafka → map → Kafka, at-least-once',
  recordsPerSecond: await eddy('at-least-once', false),
});
rows.push({
  path: 'Eddy Kafka → map → Kafka, exactly-once, 5 s checkpoints',
  recordsPerSecond: await eddy('exactly-once', true),
});
await deleteTopics(bootstrap, topics);

console.log(
  `\n${N} records, ${PARTITIONS} partitions, ~100-byte values, broker on the same machine\n`,
);
console.log('| Path | records/s |\n| --- | ---: |');
for (const r of rows)
  console.log(`| ${r.path} | ${Math.round(r.recordsPerSecond).toLocaleString('en')} |`);
