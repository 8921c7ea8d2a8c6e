/**
 * The transactional producer behind Eddy's exactly-once Kafka sink: one transaction per
 * checkpoint, committed when the checkpoint completes.
 *
 * @module
 */
import type { ProducerRecord } from './kafka-record.ts';
import type { PartitionOffset } from './topic-partition.ts';

/** Options of {@link KafkaClientPort.createTransactionalProducer}. */
export interface TransactionalProducerOptions {
  /**
   * The transactional id: stable across restarts of the same sink subtask (for example
   * `<prefix>-<subtask>`), unique in the cluster. A new producer with the same id fences the old.
   */
  readonly transactionalId: string;
  /**
   * The broker aborts a transaction left open longer than this (default 60 000 ms). Must be well
   * above the checkpoint interval plus the time a restart takes, or committed checkpoints can
   * lose their output (Flink's rule). Capped by the broker's `transaction.max.timeout.ms`.
   */
  readonly transactionTimeoutMs?: number;
}

/**
 * Group metadata for offsets committed inside a transaction (KIP-447). Engine-managed readers
 * (no group membership) use {@link standaloneGroup}; group members pass their generation and
 * member id so the coordinator rejects a zombie whose membership has ended.
 */
export interface ConsumerGroupMetadata {
  readonly groupId: string;
  /** -1 for a standalone commit (no membership). */
  readonly generationId: number;
  /** `''` for a standalone commit. */
  readonly memberId: string;
}

/** Metadata for committing offsets of `groupId` without being a member of the group. */
export function standaloneGroup(groupId: string): ConsumerGroupMetadata {
  return { groupId, generationId: -1, memberId: '' };
}

/**
 * A transaction that was pre-committed (all its writes acknowledged) by a producer that may no
 * longer exist: enough to commit it after a crash (Flink's `resumeTransaction`). Plain data, so
 * it can live in a checkpoint; the producer id is a decimal string because checkpoints hold
 * JSON-like data.
 */
export interface PreparedTransaction {
  readonly transactionalId: string;
  readonly producerId: string;
  readonly epoch: number;
}

/**
 * A Kafka producer with a transactional id. Calls are sequential: await each before the next
 * (`send` calls may overlap; the implementation orders them). Every method rejects with
 * {@link ProducerFencedError} once a newer producer with the same id has initialized; the
 * producer is unusable after that.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  /** The producer id and epoch the broker assigned at `init()`; undefined before. */
  readonly producerIdAndEpoch: { readonly producerId: bigint; readonly epoch: number } | undefined;
  /**
   * Registers the id with the transaction coordinator: bumps the epoch (fencing any older
   * producer with this id) and aborts the transaction such a producer left open. Call once,
   * before the first {@link beginTransaction}; on restart this is what cleans up after a crash.
   */
  init(): Promise<void>;
  /** Starts a transaction (local bookkeeping; the broker learns of it with the first write). */
  beginTransaction(): Promise<void>;
  /** Writes records in the current transaction. */
  send(records: readonly ProducerRecord[]): Promise<void>;
  /**
   * Commits consumer offsets (the next offsets to read) in the current transaction, so they
   * become visible if and only if the transaction commits (consume-transform-produce).
   */
  sendOffsets(offsets: readonly PartitionOffset[], group: ConsumerGroupMetadata): Promise<void>;
  /** Commits the current transaction: its records become visible to `read_committed` readers. */
  commitTransaction(): Promise<void>;
  /** Aborts the current transaction: its records are never visible to `read_committed` readers. */
  abortTransaction(): Promise<void>;
  /** Releases connections; an open transaction is left for the broker (or the next init). */
  close(): Promise<void>;
}
