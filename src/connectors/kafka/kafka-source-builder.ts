/**
 * The builder of {@link KafkaSource}, with Flink's `KafkaSourceBuilder` method names.
 *
 * @module
 */
import { userError } from '../../errors/eddy-error.ts';
import type { DeserializationSchema } from '../formats/deserialization-schema.ts';
import type { IsolationLevel } from './client/isolation-level.ts';
import type { TopicSelector } from './client/topic-partition.ts';
import { defaultKafkaClientFactory, parseBootstrapServers } from './default-client-factory.ts';
import { KafkaRecordDeserializationSchema } from './kafka-record-deserialization-schema.ts';
import type { KafkaClientFactory, KafkaSourceOptions } from './kafka-source-options.ts';
import type { KafkaSource } from './kafka-source.ts';
import { OffsetsInitializer } from './offsets-initializer.ts';

/**
 * Collects a Kafka source's settings; `build()` checks them.
 *
 * @example
 * ```ts
 * KafkaSource.builder<Order>()
 *   .setBootstrapServers('localhost:9092')
 *   .setTopicPattern(/orders-[a-z]+/)
 *   .setValueOnlyDeserializer(new AvroDeserializationSchema<Order>(orderSchema))
 *   .setBounded(OffsetsInitializer.latest())
 *   .build();
 * ```
 */
export class KafkaSourceBuilder<T> {
  private bootstrap: string[] = [];
  private topics: TopicSelector | undefined;
  private groupId: string | undefined;
  private starting: OffsetsInitializer = OffsetsInitializer.earliest();
  private stopping: OffsetsInitializer | undefined;
  private deserializer: KafkaRecordDeserializationSchema<T> | undefined;
  private readonly props = new Map<string, string>();
  private clientFactory: KafkaClientFactory = defaultKafkaClientFactory;
  private name: string | undefined;

  /** @internal Use `KafkaSource.builder()`. */
  constructor(private readonly create: (options: KafkaSourceOptions<T>) => KafkaSource<T>) {}

  /** `host:port` of one or more brokers (a comma-separated string or a list). */
  setBootstrapServers(servers: string | readonly string[]): this {
    this.bootstrap = parseBootstrapServers(servers);
    return this;
  }

  /** Reads these topics. */
  setTopics(...topics: readonly (string | readonly string[])[]): this {
    this.topics = { topics: topics.flat() };
    return this;
  }

  /** Reads every topic whose whole name matches `pattern` (new ones are found by discovery). */
  setTopicPattern(pattern: RegExp): this {
    this.topics = { pattern };
    return this;
  }

  /** The consumer group offsets are committed to (lag monitoring) and read from (`committedOffsets`). */
  setGroupId(groupId: string): this {
    this.groupId = groupId;
    return this;
  }

  /** Where reading starts when not restored from a checkpoint (default earliest). */
  setStartingOffsets(initializer: OffsetsInitializer): this {
    this.starting = initializer;
    return this;
  }

  /**
   * Makes the source bounded: it ends once every partition reaches its stopping offset. The
   * stopping offsets are resolved when a partition is first assigned and kept in checkpoints and
   * savepoints, so a restored job ends where the uninterrupted one would have.
   */
  setBounded(stoppingOffsets: OffsetsInitializer): this {
    this.stopping = stoppingOffsets;
    return this;
  }

  /** Decodes whole records (key, value, headers, coordinates). */
  setDeserializer(deserializer: KafkaRecordDeserializationSchema<T>): this {
    this.deserializer = deserializer;
    return this;
  }

  /** Decodes the record value with `format` (JSON, Avro, Protobuf, …). */
  setValueOnlyDeserializer(format: DeserializationSchema<T>): this {
    this.deserializer = KafkaRecordDeserializationSchema.valueOnly(format);
    return this;
  }

  /**
   * Sets a connector property: `isolation.level` (`read_committed`, the default, or
   * `read_uncommitted`), `partition.discovery.interval.ms` (default 30000 unbounded; 0 = off),
   * `commit.offsets.on.checkpoint` (default true), `fetch.max.wait.ms` (default 500),
   * `max.buffered.records` (default 20000), `client.retry.timeout.ms` (default 60000).
   */
  setProperty(key: string, value: string | number | boolean): this {
    this.props.set(key, String(value));
    return this;
  }

  /** The operator name (default `KafkaSource(<topics>)`). */
  setName(name: string): this {
    this.name = name;
    return this;
  }

  /** Replaces the Kafka client (tests, other client libraries). */
  setClientFactory(factory: KafkaClientFactory): this {
    this.clientFactory = factory;
    return this;
  }

  build(): KafkaSource<T> {
    const hint = (what: string) => ({ operator: { name: this.name ?? 'KafkaSource' }, hint: what });
    if (this.bootstrap.length === 0) {
      throw userError(
        'INVALID_ARGUMENT',
        'KafkaSource needs bootstrap servers',
        hint("call setBootstrapServers('host:9092')"),
      );
    }
    if (this.topics === undefined) {
      throw userError(
        'INVALID_ARGUMENT',
        'KafkaSource needs topics',
        hint("call setTopics('a', 'b') or setTopicPattern(/.../)"),
      );
    }
    const isolation = this.props.get('isolation.level') ?? 'read_committed';
    if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
      throw userError(
        'INVALID_ARGUMENT',
        `unknown isolation.level "${isolation}"`,
        hint('use read_committed or read_uncommitted'),
      );
    }
    const num = (key: string, fallback: number): number => {
      const raw = this.props.get(key);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) {
        throw userError(
          'INVALID_ARGUMENT',
          `property ${key} must be a non-negative number, not "${raw}"`,
          hint(`fix setProperty('${key}', ...)`),
        );
      }
      return n;
    };
    const topics = this.topics;
    const name =
      this.name ??
      `KafkaSource(${'topics' in topics ? topics.topics.join(',') : String(topics.pattern)})`;
    return this.create({
      name,
      bootstrapServers: this.bootstrap,
      topics,
      groupId: this.groupId,
      startingOffsets: this.starting,
      stoppingOffsets: this.stopping,
      deserializer:
        this.deserializer ??
        (KafkaRecordDeserializationSchema.raw() as unknown as KafkaRecordDeserializationSchema<T>),
      isolationLevel: isolation as IsolationLevel,
      discoveryIntervalMs: num('partition.discovery.interval.ms', 30_000),
      commitOffsetsOnCheckpoint: this.props.get('commit.offsets.on.checkpoint') !== 'false',
      fetchMaxWaitMs: num('fetch.max.wait.ms', 500),
      maxBufferedRecords: Math.max(1, num('max.buffered.records', 20_000)),
      retryTimeoutMs: num('client.retry.timeout.ms', 60_000),
      clientFactory: this.clientFactory,
    });
  }
}
