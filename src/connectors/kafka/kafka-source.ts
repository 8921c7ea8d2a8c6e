/**
 * `KafkaSource`: Flink's Kafka source on Eddy's connector SPI. Partitions are splits, assigned to
 * subtasks deterministically; offsets live in checkpoints; see {@link KafkaSourceReader}.
 *
 * @module
 */
import type { Source, SourceReader, SourceReaderContext } from '../../core/connector-spi.ts';
import type { KafkaRecord } from './client/kafka-record.ts';
import { KafkaSourceBuilder } from './kafka-source-builder.ts';
import type { KafkaSourceOptions } from './kafka-source-options.ts';
import { KafkaSourceReader } from './kafka-source-reader.ts';

/**
 * Reads Kafka topics. Build one with {@link KafkaSource.builder}.
 *
 * @example
 * ```ts
 * const source = KafkaSource.builder<Click>()
 *   .setBootstrapServers('localhost:9092')
 *   .setTopics('clicks')
 *   .setGroupId('click-counter')
 *   .setStartingOffsets(OffsetsInitializer.earliest())
 *   .setValueOnlyDeserializer(new JsonDeserializationSchema<Click>())
 *   .build();
 * env
 *   .fromSource(source, WatermarkStrategy.forBoundedOutOfOrderness(5_000).withIdleness(30_000))
 *   .print();
 * ```
 */
export class KafkaSource<T> implements Source<T> {
  readonly name: string;
  readonly boundedness: 'bounded' | 'unbounded';

  /** @internal Use {@link KafkaSource.builder}. */
  constructor(readonly options: KafkaSourceOptions<T>) {
    this.name = options.name;
    this.boundedness = options.stoppingOffsets === undefined ? 'unbounded' : 'bounded';
  }

  /** A builder; `T` is the decoded record type (the raw {@link KafkaRecord} by default). */
  static builder<T = KafkaRecord>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>((options) => new KafkaSource<T>(options));
  }

  describe(): Readonly<Record<string, unknown>> {
    const o = this.options;
    return {
      kind: 'kafka',
      bootstrapServers: o.bootstrapServers.join(','),
      topics: 'topics' in o.topics ? o.topics.topics : String(o.topics.pattern),
      groupId: o.groupId,
      startingOffsets: o.startingOffsets.description,
      stoppingOffsets: o.stoppingOffsets?.description,
      format: o.deserializer.name,
      isolationLevel: o.isolationLevel,
    };
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    return new KafkaSourceReader<T>(this.options, ctx);
  }
}
