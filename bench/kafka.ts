/**
 * Kafka → map → Kafka throughput on the broker of scripts/kafka.mjs, in one run, side by side:
 * the broker's own perf tools (the ceiling), Eddy at-least-once and exactly-once (5 s
 * checkpoints), and Flink's Kafka connector (bench/baselines/flink, `run.sh kafka`) in the same two
 * guarantees, on the same input topic. Each engine/guarantee runs `runs` times, in interleaved rounds; the table shows
 * medians, then the ratios Eddy/Flink and exactly-once/at-least-once.
 *
 * Run: node --import tsx bench/kafka.ts [records=3000000] [runs=3]
 * Needs the kafka-tools jar next to the broker's jars and Maven for the Flink jar (see
 * bench/README.md, "Kafka").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const N = Number(process.argv[2] ?? 3_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const PARTITIONS = 4;
const CHECKPOINT_INTERVAL_MS = 5_000;
const { bootstrap } = await requireKafka();
const home = process.env.EDDY_KAFKA_HOME ?? join(homedir(), '.cache', 'eddy', 'kafka-4.4.0');
const classpath = `${home}/libs/*:${home}/tools-libs/*`;
const flinkRun = join(dirname(fileURLToPath(import.meta.url)), 'baselines', 'flink', 'run.sh');
const topics: string[] = [];
/** The Flink Kafka connector of bench/baselines/flink/pom.xml, on Flink 2.3.0. */
const FLINK_CONNECTOR = '5.0.0-2.2';

async function topic(name: string): Promise<string> {
  const t = await createTopic(bootstrap, uniqueName(name), PARTITIONS);
  topics.push(t);
  return t;
}

function java(main: string, args: string[]): string {
  return execFileSync('java', ['-cp', classpath, main, ...args], { encoding: 'utf8' });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function log(message: string): void {
  console.error(`[bench/kafka] ${message}`);
}

interface Row {
  readonly path: string;
  /** records/s of each run. */
  readonly runs: readonly number[];
  /** Seconds of each run including the engine's start-up, where it differs. */
  readonly totals?: readonly number[];
  /** Records per CPU-second of the engine's process, each run (start-up included for Flink). */
  readonly perCpu?: readonly number[];
}
const rows: Row[] = [];

// Ceiling: the broker's own producer and consumer (100-byte records, acks=all, idempotent).
const perf = await topic('perf');
log(`ProducerPerformance, ${N} records`);
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
  runs: [Number(producerRate?.[1] ?? 0)],
});
log(`ConsumerPerformance, ${N} records`);
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
rows.push({ path: 'Kafka ConsumerPerformance (Java)', runs: [consumerRate] });
await deleteTopics(bootstrap, [perf]);

// Input for both engines: N JSON records of ~100 bytes.
const input = await topic('bench-in');
const pad = 'x'.repeat(70);
log(`writing ${N} input records`);
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

interface Measured {
  readonly recordsPerSecond: number;
  /** CPU seconds of the whole process (all threads) over the run. */
  readonly cpuSeconds: number;
}

async function eddy(guarantee: DeliveryGuarantee, output: string): Promise<Measured> {
  const checkpoints = guarantee === 'exactly-once';
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-kafka-'));
  const env = StreamEnvironment.create({
    parallelism: 1,
    ...(checkpoints ? { checkpointInterval: CHECKPOINT_INTERVAL_MS, checkpointDir: dir } : {}),
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
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await env.execute(`bench-kafka-${guarantee}`);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  log(
    `eddy ${guarantee}: ${seconds.toFixed(2)} s, ${Math.round(N / seconds)} records/s, ${cpuSeconds.toFixed(1)} CPU-s`,
  );
  return { recordsPerSecond: N / seconds, cpuSeconds };
}

interface FlinkResult {
  readonly engine: 'flink';
  readonly guarantee: DeliveryGuarantee;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly totalSeconds: number;
  readonly cpuSeconds: number;
}

function isFlinkResult(value: unknown): value is FlinkResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    'engine' in value &&
    value.engine === 'flink' &&
    'recordsPerSecond' in value &&
    typeof value.recordsPerSecond === 'number'
  );
}

function flink(guarantee: DeliveryGuarantee, output: string): FlinkResult {
  const out = execFileSync(
    'bash',
    [
      flinkRun,
      'kafka',
      '--bootstrap',
      bootstrap,
      '--input',
      input,
      '--output',
      output,
      '--records',
      String(N),
      '--guarantee',
      guarantee,
      '--runs',
      '1',
      '--checkpoint-interval',
      String(CHECKPOINT_INTERVAL_MS),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const results = out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line): unknown => JSON.parse(line))
    .filter(isFlinkResult);
  const result = results[0];
  if (results.length !== 1 || result === undefined) {
    throw new Error(`run.sh kafka printed:\n${out}`);
  }
  log(
    `flink ${guarantee}: ${result.seconds} s (${result.totalSeconds} s with start-up), ${result.recordsPerSecond} records/s, ${result.cpuSeconds} CPU-s`,
  );
  return result;
}

const guarantees: readonly DeliveryGuarantee[] = ['at-least-once', 'exactly-once'];
const label = (g: DeliveryGuarantee): string =>
  g === 'exactly-once' ? 'exactly-once, 5 s checkpoints' : 'at-least-once';
const medians = new Map<string, number>();
// Rounds interleave the engines and guarantees so that load from elsewhere on the machine spreads
// over all of them; each Flink run is a fresh JVM (job time excludes its start-up), Eddy's runs
// share this process.
const outputs = new Map<string, string>();
for (const engine of ['eddy', 'flink'])
  for (const g of guarantees)
    outputs.set(`${engine} ${g}`, await topic(`bench-out-${engine}-${g}`));
const eddyRuns = new Map<DeliveryGuarantee, Measured[]>(guarantees.map((g) => [g, []]));
const flinkRuns = new Map<DeliveryGuarantee, FlinkResult[]>(guarantees.map((g) => [g, []]));
for (let r = 0; r < RUNS; r++) {
  log(`round ${r + 1} of ${RUNS}`);
  for (const g of guarantees) {
    eddyRuns.get(g)?.push(await eddy(g, outputs.get(`eddy ${g}`) ?? ''));
    flinkRuns.get(g)?.push(flink(g, outputs.get(`flink ${g}`) ?? ''));
  }
}
for (const g of guarantees) {
  const e = eddyRuns.get(g) ?? [];
  const f = flinkRuns.get(g) ?? [];
  rows.push({
    path: `Eddy Kafka → map → Kafka, ${label(g)}`,
    runs: e.map((x) => x.recordsPerSecond),
    perCpu: e.map((x) => N / x.cpuSeconds),
  });
  rows.push({
    path: `Flink ${FLINK_CONNECTOR} Kafka → map → Kafka, ${label(g)}`,
    runs: f.map((x) => x.recordsPerSecond),
    totals: f.map((x) => x.totalSeconds),
    perCpu: f.map((x) => N / x.cpuSeconds),
  });
  medians.set(`eddy ${g}`, median(e.map((x) => x.recordsPerSecond)));
  medians.set(`flink ${g}`, median(f.map((x) => x.recordsPerSecond)));
}
await deleteTopics(bootstrap, topics);

const fmt = (x: number): string => Math.round(x).toLocaleString('en');
console.log(
  `\n${N} records, ${PARTITIONS} partitions, ~100-byte values, parallelism 1, broker on the same machine; medians of ${RUNS} runs\n`,
);
console.log(
  '| Path | records/s (median) | runs | seconds incl. start-up (median) | records per CPU-second (median) |',
);
console.log('| --- | ---: | --- | ---: | ---: |');
for (const r of rows) {
  const totals = r.totals === undefined ? '' : median(r.totals).toFixed(1);
  const perCpu = r.perCpu === undefined ? '' : fmt(median(r.perCpu));
  console.log(
    `| ${r.path} | ${fmt(median(r.runs))} | ${r.runs.map(fmt).join(' / ')} | ${totals} | ${perCpu} |`,
  );
}
const ratio = (a: string, b: string): string =>
  `${(((medians.get(a) ?? 0) / (medians.get(b) ?? 1)) * 100).toFixed(0)} %`;
console.log('');
console.log(`Eddy / Flink, at-least-once: ${ratio('eddy at-least-once', 'flink at-least-once')}`);
console.log(`Eddy / Flink, exactly-once: ${ratio('eddy exactly-once', 'flink exactly-once')}`);
console.log(
  `exactly-once / at-least-once, Eddy: ${ratio('eddy exactly-once', 'eddy at-least-once')}`,
);
console.log(
  `exactly-once / at-least-once, Flink: ${ratio('flink exactly-once', 'flink at-least-once')}`,
);
