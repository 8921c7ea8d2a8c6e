/**
 * The idempotent (at-least-once, no-duplicates-on-retry) producer behind Eddy's Kafka sink in
 * at-least-once mode.
 *
 * @module
 */
import type { ProducerRecord } from './kafka-record.ts';

/** Options of {@link KafkaClientPort.createIdempotentProducer}. */
export interface IdempotentProducerOptions {
  /** Compression of record batches (default none). */
  readonly compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /**
   * How many records may wait for the request in flight before `send` waits for it
   * (backpressure; default 50 000).
   */
  readonly maxBufferedRecords?: number;
}

/**
 * A producer with `enable.idempotence` semantics: acks from all in-sync replicas, and sequence
 * numbers so the broker drops duplicates of retried batches.
 */
export interface IdempotentProducer {
  /**
   * Starts writing records. Resolves as soon as there is room for more (fewer than
   * `maxBufferedRecords` waiting: backpressure), not when these records are acknowledged — that
   * is what {@link flush} is for. Rejects with an earlier failure; after a failure the producer
   * is unusable (its sequence numbers are lost) and must be replaced.
   */
  send(records: readonly ProducerRecord[]): Promise<void>;
  /**
   * Waits until everything sent so far is acknowledged; rejects with the first failure since
   * the previous flush. The sink calls it on checkpoints and at the end of input.
   */
  flush(): Promise<void>;
  /** Flushes, then releases connections. */
  close(): Promise<void>;
}
