/**
 * The job of the soak (`bench/soak.ts`), run by `eddy run` with checkpoint flags: an unbounded
 * KafkaSource over `SOAK_INPUT` (JSON `{ key, seq }`, a key's records in one partition) → keyBy →
 * a running count in keyed state → an exactly-once KafkaSink into `SOAK_OUTPUT` (`{ key, count,
 * seq }`, an output the input alone implies). Parallelism 2, the default restart strategy (a
 * broker restart is ridden out in-process), transactional ids from `SOAK_TXN_PREFIX`.
 *
 * @module
 */
import { StreamEnvironment } from '../src/index.ts';
import {
  JsonDeserializationSchema,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
} from '../src/connectors/kafka/index.ts';
import { RunningCount, type CountRecord, type InputRecord } from '../test/support/running-count.ts';

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`set ${name}`);
  return v;
}

const bootstrap = env('SOAK_BOOTSTRAP');
const job = StreamEnvironment.create({ jobName: 'soak', parallelism: 2 });
job
  .fromSource(
    KafkaSource.builder<InputRecord>()
      .setBootstrapServers(bootstrap)
      .setTopics(env('SOAK_INPUT'))
      .setProperty('fetch.max.wait.ms', 100)
      .setValueOnlyDeserializer(new JsonDeserializationSchema<InputRecord>())
      .build(),
  )
  .uid('source')
  .keyBy((r) => r.key)
  .process(new RunningCount())
  .uid('counts')
  .sinkTo(
    KafkaSink.builder<CountRecord>()
      .setBootstrapServers(bootstrap)
      .setRecordSerializer(
        KafkaRecordSerializationSchema.builder<CountRecord>()
          .setTopic(env('SOAK_OUTPUT'))
          .setKeySerializationSchema((v) => Buffer.from(v.key))
          .setValueSerializationSchema(new JsonSerializationSchema<CountRecord>())
          .build(),
      )
      .setDeliveryGuarantee('exactly-once')
      .setTransactionalIdPrefix(env('SOAK_TXN_PREFIX'))
      .build(),
  )
  .uid('sink');
await job.execute();
