/**
 * Errors of the Kafka client port. They are plain errors with a `reason`, so the engine's
 * KafkaSource / KafkaSink can map them to `EddyError` codes without the port depending on the
 * engine; the client library's own error is kept as `cause`.
 *
 * @module
 */
import type { TopicPartition } from './topic-partition.ts';

/** Why a Kafka operation failed, as far as the engine must tell cases apart. */
export type KafkaClientErrorReason =
  /** Another producer with the same transactional id has initialized: this one is a zombie. */
  | 'producer-fenced'
  /** A fetch position is below the log start or beyond the end of the partition. */
  | 'offset-out-of-range'
  /** A topic or partition does not exist. */
  | 'unknown-topic-or-partition'
  /** The operation was not valid in the producer's state (for example, commit without begin). */
  | 'invalid-state'
  /** The broker did not answer in time, or the connection failed: retrying may help. */
  | 'unavailable'
  /** Anything else. */
  | 'failed';

/** Options of the {@link KafkaClientError} constructor. */
export interface KafkaClientErrorOptions {
  readonly reason: KafkaClientErrorReason;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** A failed Kafka operation. */
export class KafkaClientError extends Error {
  /** What went wrong, for code that reacts to it. */
  readonly reason: KafkaClientErrorReason;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;

  constructor(message: string, options: KafkaClientErrorOptions) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'KafkaClientError';
    this.reason = options.reason;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * The producer was fenced: a newer producer with the same transactional id exists. Its open
 * transaction is aborted by the broker; the producer cannot be used again. A sink that sees this
 * must stop (another subtask instance owns the id now), never retry.
 */
export class ProducerFencedError extends KafkaClientError {
  readonly transactionalId: string;

  constructor(transactionalId: string, cause?: unknown) {
    super(
      `Kafka producer with transactional id "${transactionalId}" was fenced: a newer producer ` +
        'with the same id has started, so this one must stop.',
      { reason: 'producer-fenced', retryable: false, cause },
    );
    this.name = 'ProducerFencedError';
    this.transactionalId = transactionalId;
  }
}

/** Fetch positions outside the partitions' logs; the reader must reset them (see its policy). */
export class OffsetOutOfRangeError extends KafkaClientError {
  readonly partitions: readonly TopicPartition[];

  constructor(partitions: readonly TopicPartition[], cause?: unknown) {
    super(
      `Fetch offset out of range for ${partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`,
      { reason: 'offset-out-of-range', retryable: false, cause },
    );
    this.name = 'OffsetOutOfRangeError';
    this.partitions = partitions;
  }
}
