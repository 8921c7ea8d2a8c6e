/**
 * The Kafka client port: everything Eddy's KafkaSource and KafkaSink need from a Kafka client,
 * and nothing else. The engine assigns partitions to subtasks itself (as Flink does), keeps read
 * positions in its checkpoints, and fetches with explicit offsets, so no consumer group takes
 * part in reading; committed group offsets exist only for lag monitoring and for starting from
 * "committed" positions. Implemented over `@platformatic/kafka` in
 * `platformatic-kafka-client.ts`; see docs/adr/0003-kafka-client.md.
 *
 * @module
 */
import type { FetchBatch, FetchOptions, FetchPositions } from './fetch-batch.ts';
import type { IdempotentProducer, IdempotentProducerOptions } from './idempotent-producer.ts';
import type { IsolationLevel } from './isolation-level.ts';
import type { ListedOffset, OffsetSpec } from './offset-spec.ts';
import type {
  CommittedOffset,
  PartitionOffset,
  TopicPartition,
  TopicSelector,
} from './topic-partition.ts';
import type {
  PreparedTransaction,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './transactional-producer.ts';

/** A connection to one Kafka cluster. Errors are {@link KafkaClientError}s. */
export interface KafkaClientPort {
  /**
   * The partitions of the selected topics, sorted by topic then partition. Topics that do not
   * exist are missing from the answer for a pattern, and an error for a list.
   */
  listPartitions(selector: TopicSelector): Promise<TopicPartition[]>;

  /**
   * Looks up offsets. `latest` with `read_committed` answers the last stable offset.
   * One answer per requested partition, in request order.
   */
  listOffsets(
    partitions: readonly TopicPartition[],
    spec: OffsetSpec,
    isolationLevel?: IsolationLevel,
  ): Promise<ListedOffset[]>;

  /**
   * Reads from the given partitions at the given offsets, without joining a group: one request
   * per partition leader, in parallel. Waits up to `maxWaitMs` when nothing is available.
   * Rejects with {@link OffsetOutOfRangeError} for positions outside a partition's log.
   */
  fetch(positions: FetchPositions, options: FetchOptions): Promise<FetchBatch>;

  /**
   * Commits offsets (the next offsets to read) for a group the caller is not a member of, as
   * Flink's source does on checkpoint completion: for lag monitoring, never for correctness.
   */
  commitGroupOffsets(groupId: string, offsets: readonly PartitionOffset[]): Promise<void>;

  /** The group's committed offsets for these partitions; `null` where none is committed. */
  listGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<CommittedOffset[]>;

  /** A producer with a transactional id; call its `init()` before use. */
  createTransactionalProducer(options: TransactionalProducerOptions): TransactionalProducer;

  /**
   * Commits a transaction pre-committed by a producer that is gone (a crashed or restarted sink):
   * sends EndTxn(commit) with its producer id and epoch, without InitProducerId (which would abort
   * it). Resolves when it is committed, and also when it was already decided (committed earlier,
   * or the id was re-initialized since: the broker then answers a fencing error) — a recovery
   * commit is idempotent, as Flink's `KafkaCommitter` treats it.
   */
  commitPreparedTransaction(prepared: PreparedTransaction): Promise<void>;

  /** An idempotent producer (at-least-once sinks). */
  createIdempotentProducer(options?: IdempotentProducerOptions): IdempotentProducer;

  /** Closes the client's connections (not the producers it created). */
  close(): Promise<void>;
}
