/**
 * The messages between a {@link WorkerIdempotentProducer} (task thread) and its producer worker
 * thread, and {@link KafkaClientError}s as plain data so they cross the thread boundary with
 * their reason intact (a structured clone keeps neither the class nor extra fields).
 *
 * @module
 */
import type { IdempotentProducerOptions } from './idempotent-producer.ts';
import {
  KafkaClientError,
  OffsetOutOfRangeError,
  ProducerFencedError,
  type KafkaClientErrorReason,
} from './kafka-client-error.ts';
import type { PlatformaticConnection } from './platformatic-transactional-producer.ts';
import type { ProducerRecordFrame } from './producer-record-frame.ts';
import type { TopicPartition } from './topic-partition.ts';

/** What the producer worker starts with (its `workerData`). */
export interface ProducerWorkerData {
  readonly connection: PlatformaticConnection;
  readonly options: IdempotentProducerOptions;
  /** Test hook: the worker exits with this code after this many frames (never set in jobs). */
  readonly crashAfterFrames?: number;
}

/** Task thread → worker. */
export type ProducerWorkerRequest =
  | { readonly kind: 'send'; readonly frame: ProducerRecordFrame }
  | { readonly kind: 'flush'; readonly id: number }
  | { readonly kind: 'close' };

/** Worker → task thread. */
export type ProducerWorkerReply =
  /** The records of one frame are in the producer's buffer (there was room: backpressure). */
  | { readonly kind: 'accepted'; readonly count: number }
  /** A send failed: the producer is broken. */
  | { readonly kind: 'failed'; readonly error: KafkaClientErrorData }
  /** Everything sent before flush `id` is acknowledged (or `error`). */
  | { readonly kind: 'flushed'; readonly id: number; readonly error?: KafkaClientErrorData }
  /** The producer is closed; the worker may be terminated. */
  | { readonly kind: 'closed'; readonly error?: KafkaClientErrorData };

/** A {@link KafkaClientError} (or anything thrown) as plain data. */
export interface KafkaClientErrorData {
  readonly name: string;
  readonly message: string;
  readonly reason: KafkaClientErrorReason;
  readonly retryable: boolean;
  readonly stack: string | undefined;
  readonly cause: string | undefined;
  readonly transactionalId?: string;
  readonly partitions?: readonly TopicPartition[];
}

/** Flattens an error for {@link fromKafkaClientErrorData}. */
export function toKafkaClientErrorData(error: unknown): KafkaClientErrorData {
  const cause = error instanceof Error ? error.cause : undefined;
  const base = {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    reason: error instanceof KafkaClientError ? error.reason : 'failed',
    retryable: error instanceof KafkaClientError ? error.retryable : false,
    stack: error instanceof Error ? error.stack : undefined,
    cause: cause === undefined ? undefined : cause instanceof Error ? cause.message : String(cause),
  } as const;
  if (error instanceof ProducerFencedError) {
    return { ...base, transactionalId: error.transactionalId };
  }
  if (error instanceof OffsetOutOfRangeError) return { ...base, partitions: error.partitions };
  return base;
}

/** Rebuilds the error a worker reported, as the same class, reason and message. */
export function fromKafkaClientErrorData(data: KafkaClientErrorData): KafkaClientError {
  const cause = data.cause === undefined ? undefined : new Error(data.cause);
  let error: KafkaClientError;
  if (data.name === 'ProducerFencedError' && data.transactionalId !== undefined) {
    error = new ProducerFencedError(data.transactionalId, cause);
  } else if (data.name === 'OffsetOutOfRangeError' && data.partitions !== undefined) {
    error = new OffsetOutOfRangeError(data.partitions, cause);
  } else {
    error = new KafkaClientError(data.message, {
      reason: data.reason,
      retryable: data.retryable,
      ...(cause === undefined ? {} : { cause }),
    });
  }
  error.message = data.message;
  error.stack = `${data.stack ?? `${data.name}: ${data.message}`}\n    (in the Kafka producer worker thread)`;
  return error;
}
