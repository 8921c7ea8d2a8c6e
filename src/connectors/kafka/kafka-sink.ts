/**
 * `KafkaSink`: Flink's Kafka sink on Eddy's sink SPI, with the delivery guarantees of
 * {@link DeliveryGuarantee}; writers in kafka-sink-writer.ts.
 *
 * @module
 */
import { userError } from '../../errors/eddy-error.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import type { DeliveryGuarantee } from './delivery-guarantee.ts';
import { KafkaSinkBuilder } from './kafka-sink-builder.ts';
import type { KafkaSinkOptions } from './kafka-sink-options.ts';
import { IdempotentKafkaWriter, TransactionalKafkaWriter } from './kafka-sink-writer.ts';

/**
 * Writes records to Kafka. Build one with {@link KafkaSink.builder}.
 *
 * @example
 * ```ts
 * const sink = KafkaSink.builder<Tagged>()
 *   .setBootstrapServers('localhost:9092')
 *   .setRecordSerializer(
 *     KafkaRecordSerializationSchema.builder<Tagged>()
 *       .setTopic('tagged-events')
 *       .setValueSerializationSchema(new JsonSerializationSchema<Tagged>())
 *       .build(),
 *   )
 *   .setDeliveryGuarantee('exactly-once')
 *   .setTransactionalIdPrefix('bot-tagging')
 *   .build();
 * stream.sinkTo(sink);
 * ```
 */
export class KafkaSink<T> implements Sink<T> {
  readonly name: string;

  /** @internal Use {@link KafkaSink.builder}. */
  constructor(readonly options: KafkaSinkOptions<T>) {
    this.name = options.name;
  }

  /** A builder. */
  static builder<T>(): KafkaSinkBuilder<T> {
    return new KafkaSinkBuilder<T>((options) => new KafkaSink<T>(options));
  }

  get deliveryGuarantee(): DeliveryGuarantee {
    return this.options.deliveryGuarantee;
  }

  describe(): Readonly<Record<string, unknown>> {
    const o = this.options;
    return {
      kind: 'kafka',
      bootstrapServers: o.bootstrapServers.join(','),
      records: o.serializer.description,
      deliveryGuarantee: o.deliveryGuarantee,
      transactionalIdPrefix: o.transactionalIdPrefix,
    };
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    if (this.options.deliveryGuarantee !== 'exactly-once') {
      return new IdempotentKafkaWriter<T>(this.options, ctx);
    }
    // Without checkpointing the runtime pre-commits and commits once at the end of input.
    if (this.options.transactionalIdPrefix === undefined) {
      throw userError('INVALID_ARGUMENT', 'exactly-once needs a transactional id prefix', {
        operator: { name: this.name },
        hint: "call setTransactionalIdPrefix('<unique-per-job>')",
      });
    }
    return new TransactionalKafkaWriter<T>(this.options, ctx) as SinkWriter<T>;
  }
}
