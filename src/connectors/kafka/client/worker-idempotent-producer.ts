/**
 * An {@link IdempotentProducer} whose wire work runs on a worker thread of its own: `send` packs
 * the records into one transferable frame ({@link encodeProducerRecords}) and posts it; the
 * worker (`producer-worker.ts`) builds the record batches and talks to the brokers. This is what
 * Flink's Kafka sink gets from the Java producer's sender thread: the task thread only serializes,
 * and a second core does the rest. See docs/adr/0008-kafka-producer-worker-thread.md.
 *
 * Semantics are those of {@link PlatformaticIdempotentProducer}: `send` resolves when there is
 * room (backpressure counts records posted and not yet taken into the worker's producer), `flush`
 * resolves once everything posted before it is acknowledged, and the first failure is sticky.
 * A worker that dies or cannot start fails every pending and later call with a
 * {@link KafkaClientError}, so a job never waits on a thread that is gone.
 *
 * @module
 */
import type { IdempotentProducer, IdempotentProducerOptions } from './idempotent-producer.ts';
import { KafkaClientError } from './kafka-client-error.ts';
import type { ProducerRecord } from './kafka-record.ts';
import type { PlatformaticConnection } from './platformatic-transactional-producer.ts';
import { encodeProducerRecords } from './producer-record-frame.ts';
import { ProducerWorkerThread } from './producer-worker-thread.ts';
import {
  fromKafkaClientErrorData,
  type ProducerWorkerData,
  type ProducerWorkerReply,
  type ProducerWorkerRequest,
} from './producer-worker-protocol.ts';

/** A pending promise's settle functions. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: KafkaClientError) => void;
}

/** Test hooks of {@link WorkerIdempotentProducer}; jobs never set them. */
export interface WorkerIdempotentProducerTestHooks {
  /** The worker thread exits (code 70) when it receives frame `crashAfterFrames + 1`. */
  readonly crashAfterFrames?: number;
}

/** See the module documentation. */
export class WorkerIdempotentProducer implements IdempotentProducer {
  readonly #thread: ProducerWorkerThread<ProducerWorkerReply>;
  readonly #maxBuffered: number;
  /** Records posted and not yet taken into the worker's producer buffer. */
  #pending = 0;
  /** `send` calls waiting for room. */
  #roomWaiters: Waiter[] = [];
  readonly #flushWaiters = new Map<number, Waiter>();
  #nextFlushId = 0;
  #closeWaiter: Waiter | undefined;
  #failure: KafkaClientError | undefined;
  #closed = false;

  constructor(
    connection: PlatformaticConnection,
    options: IdempotentProducerOptions = {},
    hooks: WorkerIdempotentProducerTestHooks = {},
  ) {
    this.#maxBuffered = Math.max(1, options.maxBufferedRecords ?? 50_000);
    const data: ProducerWorkerData = {
      connection: {
        clientId: connection.clientId,
        bootstrapBrokers: [...connection.bootstrapBrokers],
        requestTimeoutMs: connection.requestTimeoutMs,
      },
      options: { ...options },
      ...(hooks.crashAfterFrames === undefined ? {} : { crashAfterFrames: hooks.crashAfterFrames }),
    };
    this.#thread = new ProducerWorkerThread(
      data,
      'records handed to it may not have been written',
      (reply: ProducerWorkerReply) => this.#onReply(reply),
      (error) => this.#fail(error),
    );
  }

  async send(records: readonly ProducerRecord[]): Promise<void> {
    if (this.#closed) {
      throw new KafkaClientError('The producer is closed', { reason: 'invalid-state' });
    }
    this.#throwFailure();
    if (records.length === 0) return;
    const frame = encodeProducerRecords(records);
    this.#post({ kind: 'send', frame }, [frame.buffer]);
    this.#pending += frame.count;
    while (this.#pending >= this.#maxBuffered && this.#failure === undefined) {
      await new Promise<void>((resolve, reject) => this.#roomWaiters.push({ resolve, reject }));
    }
    this.#throwFailure();
  }

  async flush(): Promise<void> {
    this.#throwFailure();
    const id = this.#nextFlushId++;
    // Posted before the waiter exists, so a dead worker throws here instead of rejecting a
    // promise nobody awaits yet; the answer cannot arrive before this function continues.
    this.#post({ kind: 'flush', id });
    await new Promise<void>((resolve, reject) => this.#flushWaiters.set(id, { resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (!this.#thread.exited && this.#failure === undefined) {
        const closed = new Promise<void>((resolve, reject) => {
          this.#closeWaiter = { resolve, reject };
        });
        this.#post({ kind: 'close' });
        await closed;
      }
    } finally {
      this.#closeWaiter = undefined;
      await this.#thread.terminate();
    }
  }

  #post(request: ProducerWorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.#thread.exited) {
      this.#fail(
        new KafkaClientError('The Kafka producer worker thread is gone', { reason: 'failed' }),
      );
      this.#throwFailure();
    }
    this.#thread.postMessage(request, transfer);
  }

  #onReply(reply: ProducerWorkerReply): void {
    switch (reply.kind) {
      case 'accepted':
        this.#pending -= reply.count;
        if (this.#pending < this.#maxBuffered) this.#wakeRoomWaiters();
        break;
      case 'failed':
        this.#fail(fromKafkaClientErrorData(reply.error));
        break;
      case 'flushed': {
        const waiter = this.#flushWaiters.get(reply.id);
        this.#flushWaiters.delete(reply.id);
        if (reply.error === undefined) {
          // A send failure reported before this flush's answer still fails the flush.
          if (this.#failure !== undefined) waiter?.reject(this.#failure);
          else waiter?.resolve();
        } else {
          const error = fromKafkaClientErrorData(reply.error);
          this.#failure ??= error;
          waiter?.reject(error);
        }
        break;
      }
      case 'closed': {
        const waiter = this.#closeWaiter;
        if (reply.error === undefined) waiter?.resolve();
        else waiter?.reject(fromKafkaClientErrorData(reply.error));
        break;
      }
    }
  }

  #wakeRoomWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Records the first failure and settles everything that waits for the worker. */
  #fail(error: KafkaClientError): void {
    this.#failure ??= error;
    const failure = this.#failure;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w.reject(failure);
    for (const w of this.#flushWaiters.values()) w.reject(failure);
    this.#flushWaiters.clear();
    const close = this.#closeWaiter;
    this.#closeWaiter = undefined;
    close?.reject(failure);
  }

  #throwFailure(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
