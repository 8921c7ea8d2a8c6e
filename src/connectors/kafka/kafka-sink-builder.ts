/**
 * The builder of {@link KafkaSink}, with Flink's `KafkaSinkBuilder` method names.
 *
 * @module
 */
import { userError } from '../../errors/eddy-error.ts';
import { defaultKafkaClientFactory, parseBootstrapServers } from './default-client-factory.ts';
import type { DeliveryGuarantee } from './delivery-guarantee.ts';
import type { KafkaRecordSerializationSchema } from './kafka-record-serialization-schema.ts';
import type { KafkaSinkOptions } from './kafka-sink-options.ts';
import type { KafkaSink } from './kafka-sink.ts';
import type { KafkaClientFactory } from './kafka-source-options.ts';

/**
 * Collects a Kafka sink's settings; `build()` checks them.
 *
 * @example
 * ```ts
 * KafkaSink.builder<string>()
 *   .setBootstrapServers('localhost:9092')
 *   .setRecordSerializer(serializer)
 *   .setDeliveryGuarantee('at-least-once')
 *   .build();
 * ```
 */
export class KafkaSinkBuilder<T> {
  private bootstrap: string[] = [];
  private serializer: KafkaRecordSerializationSchema<T> | undefined;
  private guarantee: DeliveryGuarantee = 'at-least-once';
  private prefix: string | undefined;
  private timeoutMs = 15 * 60_000;
  private poolSize = 4;
  private maxInFlight = 50_000;
  private clientFactory: KafkaClientFactory = defaultKafkaClientFactory;
  private name: string | undefined;

  /** @internal Use `KafkaSink.builder()`. */
  constructor(private readonly create: (options: KafkaSinkOptions<T>) => KafkaSink<T>) {}

  /** `host:port` of one or more brokers (a comma-separated string or a list). */
  setBootstrapServers(servers: string | readonly string[]): this {
    this.bootstrap = parseBootstrapServers(servers);
    return this;
  }
  /** How values become records (topic, key, value, headers, partition). */
  setRecordSerializer(serializer: KafkaRecordSerializationSchema<T>): this {
    this.serializer = serializer;
    return this;
  }
  /** `none`, `at-least-once` (default) or `exactly-once`. */
  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    this.guarantee = guarantee;
    return this;
  }
  /** Prefix of the transactional ids (exactly-once): unique per job, stable across restarts. */
  setTransactionalIdPrefix(prefix: string): this {
    this.prefix = prefix;
    return this;
  }
  /** `transaction.timeout.ms` (default 15 min): above checkpoint interval plus restart time. */
  setTransactionTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }
  /** Transactional ids per subtask (default 4; at least 2). */
  setTransactionPoolSize(size: number): this {
    this.poolSize = size;
    return this;
  }
  /** Unacknowledged records before writes wait (default 50 000). */
  setMaxInFlightRecords(records: number): this {
    this.maxInFlight = records;
    return this;
  }
  /** The operator name (default `KafkaSink`). */
  setName(name: string): this {
    this.name = name;
    return this;
  }
  /** Replaces the Kafka client (tests, other client libraries). */
  setClientFactory(factory: KafkaClientFactory): this {
    this.clientFactory = factory;
    return this;
  }

  build(): KafkaSink<T> {
    const name = this.name ?? 'KafkaSink';
    const fail = (message: string, hint: string) =>
      userError('INVALID_ARGUMENT', message, { operator: { name }, hint });
    if (this.bootstrap.length === 0) {
      throw fail('KafkaSink needs bootstrap servers', "call setBootstrapServers('host:9092')");
    }
    if (this.serializer === undefined) {
      throw fail(
        'KafkaSink needs a record serializer',
        'call setRecordSerializer(KafkaRecordSerializationSchema.builder()...build())',
      );
    }
    if (this.guarantee === 'exactly-once' && (this.prefix === undefined || this.prefix === '')) {
      throw fail(
        'exactly-once needs a transactional id prefix',
        "call setTransactionalIdPrefix('<unique-per-job>')",
      );
    }
    if (!Number.isInteger(this.poolSize) || this.poolSize < 2) {
      throw fail(
        `transaction pool size must be an integer ≥ 2, not ${this.poolSize}`,
        'fix setTransactionPoolSize(...)',
      );
    }
    return this.create({
      name,
      bootstrapServers: this.bootstrap,
      serializer: this.serializer,
      deliveryGuarantee: this.guarantee,
      transactionalIdPrefix: this.prefix,
      transactionTimeoutMs: this.timeoutMs,
      transactionPoolSize: this.poolSize,
      maxInFlightRecords: Math.max(1, this.maxInFlight),
      clientFactory: this.clientFactory,
    });
  }
}
