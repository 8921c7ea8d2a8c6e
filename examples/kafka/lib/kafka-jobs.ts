/**
 * The report's Kafka jobs as pipeline builders, shared by the runnable job files in
 * examples/kafka/ and their end-to-end test (test/kafka/examples.test.ts).
 */
import {
  EventTimeSessionWindows,
  WatermarkStrategy,
  type DataStream,
  type StreamEnvironment,
} from 'eddy';
import {
  JsonDeserializationSchema,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  type DeliveryGuarantee,
} from 'eddy/kafka';
import { tagBots, type UserEvent } from '../../lib/bot-tag-enrichment.ts';
import { mergeClicks, type Click } from '../../lib/order-payment-matcher.ts';

/** Where a job reads and writes. */
export interface KafkaJobSettings {
  readonly bootstrap: string;
  /** Stop at the offsets current at start (batch over Kafka) instead of running forever. */
  readonly bounded: boolean;
  readonly guarantee: DeliveryGuarantee;
  /** Transactional id prefix (exactly-once); unique per job. */
  readonly transactionalIdPrefix: string;
}

/** A JSON topic as a stream of `T`. */
export function jsonTopic<T>(
  env: StreamEnvironment,
  s: KafkaJobSettings,
  topic: string,
  watermarks?: WatermarkStrategy<T>,
): DataStream<T> {
  const builder = KafkaSource.builder<T>()
    .setBootstrapServers(s.bootstrap)
    .setTopics(topic)
    .setGroupId(`eddy-example-${topic}`)
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setValueOnlyDeserializer(new JsonDeserializationSchema<T>())
    .setName(`kafka:${topic}`);
  if (s.bounded) builder.setBounded(OffsetsInitializer.latest());
  return env.fromSource(builder.build(), watermarks, `kafka:${topic}`);
}

/** Writes a stream as JSON to `topic`, keyed by `key`. */
export function toJsonTopic<T>(
  stream: DataStream<T>,
  s: KafkaJobSettings,
  topic: string,
  key: (value: T) => string,
): void {
  stream.sinkTo(
    KafkaSink.builder<T>()
      .setBootstrapServers(s.bootstrap)
      .setRecordSerializer(
        KafkaRecordSerializationSchema.builder<T>()
          .setTopic(topic)
          .setValueSerializationSchema(new JsonSerializationSchema<T>())
          .setKeySerializationSchema((v) => Buffer.from(key(v)))
          .build(),
      )
      .setDeliveryGuarantee(s.guarantee)
      .setTransactionalIdPrefix(`${s.transactionalIdPrefix}-${topic}`)
      .setName(`kafka:${topic}`)
      .build(),
  );
}

/** Bot tagging: user events topic → BotTagEnrichment (keyed state) → tagged events topic. */
export function botTaggingJob(
  env: StreamEnvironment,
  s: KafkaJobSettings,
  topics: { readonly input: string; readonly output: string },
  threshold = 20,
  windowMs = 1000,
): void {
  const tagged = tagBots(jsonTopic<UserEvent>(env, s, topics.input), threshold, windowMs);
  toJsonTopic(tagged, s, topics.output, (e) => e.userId);
}

/** Merging two topics: web and app clicks → one clicks topic. */
export function mergeTopicsJob(
  env: StreamEnvironment,
  s: KafkaJobSettings,
  topics: { readonly web: string; readonly app: string; readonly output: string },
): void {
  const merged = mergeClicks(
    jsonTopic<Click>(env, s, topics.web),
    jsonTopic<Click>(env, s, topics.app),
  );
  toJsonTopic(merged, s, topics.output, (c) => c.userId);
}

/** One user interaction (event time in `ts`). */
export interface PageView {
  readonly user: string;
  readonly page: string;
  readonly ts: number;
}

/** One session: user, window bounds, number of page views. */
export interface Session {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly views: number;
}

/**
 * Sessionization: page views → per-partition watermarks (5 s out of order, idle partitions
 * ignored after 10 s) → `gapMs` event-time session windows per user → sessions topic.
 */
export function sessionizationJob(
  env: StreamEnvironment,
  s: KafkaJobSettings,
  topics: { readonly input: string; readonly output: string },
  gapMs = 30 * 60_000,
): void {
  const watermarks = WatermarkStrategy.forBoundedOutOfOrderness<PageView>(5_000)
    .withTimestampAssigner((v) => v.ts)
    .withIdleness(10_000);
  const sessions = jsonTopic<PageView>(env, s, topics.input, watermarks)
    .keyBy((v) => v.user)
    .window(EventTimeSessionWindows.withGap<PageView>(gapMs))
    .aggregate<number, number, Session>(
      {
        createAccumulator: () => 0,
        add: (_v, n) => n + 1,
        getResult: (n) => n,
        merge: (a, b) => a + b,
      },
      (user, ctx, results, out) => {
        out.collect({ user, start: ctx.window.start, end: ctx.window.end, views: results[0] ?? 0 });
      },
    )
    .name('sessions');
  toJsonTopic(sessions, s, topics.output, (x) => x.user);
}

/** Reads job settings from `--prop kafka.*` (bootstrap, bounded, guarantee). */
export function settingsFrom(env: StreamEnvironment, job: string): KafkaJobSettings {
  const p = env.properties;
  return {
    bootstrap: p.get('kafka.bootstrap', '127.0.0.1:39092'),
    bounded: p.getBoolean('kafka.bounded', false) === true,
    guarantee: p.get('kafka.guarantee', 'exactly-once') as DeliveryGuarantee,
    transactionalIdPrefix: p.get('kafka.transactional-id-prefix', job),
  };
}
