/**
 * {@link IdempotentProducer} over `@platformatic/kafka` 1.35.
 *
 * The library's idempotent producer must never have two `send()` calls in flight: batches built
 * concurrently reuse sequence numbers and the broker silently drops them as duplicates while
 * every call reports success (proven in test/kafka/platformatic-spike.test.ts). So this producer
 * keeps exactly one request in flight and gathers what is sent meanwhile into the next request,
 * which also makes large batches out of small `send` calls (up to {@link MAX_REQUEST_BYTES}).
 *
 * @module
 */
import type { MessageToProduce } from '@platformatic/kafka';
import { RecordBatchProducer } from './record-batch-producer.ts';
import type { IdempotentProducer, IdempotentProducerOptions } from './idempotent-producer.ts';
import { KafkaClientError } from './kafka-client-error.ts';
import { toKafkaClientError } from './kafka-error-mapping.ts';
import type { ProducerRecord } from './kafka-record.ts';
import type { PlatformaticConnection } from './platformatic-transactional-producer.ts';
import {
  createJavaCompatiblePartitioner,
  estimatedSize,
  MAX_REQUEST_BYTES,
  toLibraryMessages,
} from './producer-messages.ts';

/** See the module documentation. */
export class PlatformaticIdempotentProducer implements IdempotentProducer {
  readonly #producer: RecordBatchProducer;
  readonly #maxBuffered: number;
  #buffer: MessageToProduce[] = [];
  /** The loop sending the buffer, one request at a time; undefined when idle. */
  #pump: Promise<void> | undefined;
  #failure: KafkaClientError | undefined;
  #broken: KafkaClientError | undefined;
  #closed = false;

  constructor(connection: PlatformaticConnection, options: IdempotentProducerOptions = {}) {
    this.#maxBuffered = Math.max(1, options.maxBufferedRecords ?? 50_000);
    this.#producer = new RecordBatchProducer({
      clientId: `${connection.clientId}-idempotent`,
      bootstrapBrokers: [...connection.bootstrapBrokers],
      requestTimeout: connection.requestTimeoutMs,
      idempotent: true,
      producerId: -1n,
      producerEpoch: -1,
      compression: options.compression ?? 'none',
      partitioner: createJavaCompatiblePartitioner(),
      retries: 5,
      retryDelay: 200,
    });
  }

  async send(records: readonly ProducerRecord[]): Promise<void> {
    await this.sendMessages(toLibraryMessages(records));
  }

  /** {@link send} for messages already in the library's shape (the producer worker's frames). */
  async sendMessages(messages: readonly MessageToProduce[]): Promise<void> {
    if (this.#closed) {
      throw new KafkaClientError('The producer is closed', { reason: 'invalid-state' });
    }
    this.#throwFailure();
    if (messages.length === 0) return;
    for (const message of messages) this.#buffer.push(message);
    this.#pump ??= this.#runPump();
    while (this.#buffer.length >= this.#maxBuffered && this.#pump !== undefined) {
      await this.#pump;
    }
    this.#throwFailure();
  }

  async flush(): Promise<void> {
    while (this.#pump !== undefined) await this.#pump;
    this.#throwFailure();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#producer.close();
    }
  }

  async #runPump(): Promise<void> {
    try {
      while (this.#buffer.length > 0 && this.#broken === undefined) {
        let count = 0;
        let bytes = 0;
        for (const message of this.#buffer) {
          bytes += estimatedSize(message);
          if (count > 0 && bytes > MAX_REQUEST_BYTES) break;
          count += 1;
        }
        const messages = this.#buffer.splice(0, count);
        try {
          await this.#producer.send({ messages });
        } catch (error) {
          const failure = toKafkaClientError(error, 'send');
          this.#broken = failure;
          this.#failure ??= failure;
          this.#buffer = [];
        }
      }
    } finally {
      this.#pump = undefined;
    }
  }

  #throwFailure(): void {
    const failure = this.#failure ?? this.#broken;
    if (failure === undefined) return;
    this.#failure = undefined;
    throw failure;
  }
}
