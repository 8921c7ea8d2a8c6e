/**
 * Transactional producers whose wire work runs on a worker thread, as
 * {@link WorkerIdempotentProducer} does for at-least-once sinks. An exactly-once sink makes a new
 * producer per transaction, so one worker per client ({@link TransactionalWorkerHost}) hosts all
 * of them by handle: starting a thread per transaction would take longer than a short checkpoint
 * interval. `send` packs the records into one transferable frame; every call (create, init,
 * begin, send, offsets, commit, abort, close) is answered by the worker
 * (`transactional-producer-worker.ts`) in the order it was made. The exactly-once protocol is the
 * worker's {@link PlatformaticTransactionalProducer}'s, unchanged; only where it runs moves. A
 * worker that dies fails every pending and later call with a {@link KafkaClientError}. See
 * docs/adr/0008-kafka-producer-worker-thread.md.
 *
 * @module
 */
import { KafkaClientError } from './kafka-client-error.ts';
import type { ProducerRecord } from './kafka-record.ts';
import type { PlatformaticConnection } from './platformatic-transactional-producer.ts';
import { encodeProducerRecords } from './producer-record-frame.ts';
import { fromKafkaClientErrorData } from './producer-worker-protocol.ts';
import { ProducerWorkerThread } from './producer-worker-thread.ts';
import type { PartitionOffset } from './topic-partition.ts';
import type {
  TransactionalWorkerData,
  TransactionalWorkerReply,
  TransactionalWorkerRequest,
} from './transactional-producer-worker-protocol.ts';
import type {
  ConsumerGroupMetadata,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './transactional-producer.ts';

/** Distributes `Omit` over a union (each call kind keeps its own fields). */
type WithoutIds<T> = T extends unknown ? Omit<T, 'id' | 'handle'> : never;

interface Waiter {
  readonly resolve: (reply: TransactionalWorkerReply) => void;
  readonly reject: (error: KafkaClientError) => void;
}

const noop = (): void => undefined;

/** The worker thread of one client's transactional producers (started at the first producer). */
export class TransactionalWorkerHost {
  readonly #thread: ProducerWorkerThread<TransactionalWorkerReply>;
  #closing = false;
  readonly #waiters = new Map<number, Waiter>();
  /** The answers of calls in flight, for a graceful close. */
  readonly #pending = new Map<number, Promise<TransactionalWorkerReply>>();
  #nextId = 0;
  #nextHandle = 0;
  #failure: KafkaClientError | undefined;

  constructor(connection: PlatformaticConnection) {
    const data: TransactionalWorkerData = {
      mode: 'transactional',
      connection: {
        clientId: connection.clientId,
        bootstrapBrokers: [...connection.bootstrapBrokers],
        requestTimeoutMs: connection.requestTimeoutMs,
      },
    };
    this.#thread = new ProducerWorkerThread(
      data,
      'open transactions are lost (they are aborted when the sink restarts)',
      (reply: TransactionalWorkerReply) => {
        const waiter = this.#waiters.get(reply.id);
        this.#waiters.delete(reply.id);
        if (reply.error === undefined) waiter?.resolve(reply);
        else waiter?.reject(fromKafkaClientErrorData(reply.error));
      },
      (error) => this.#fail(error),
    );
  }

  /** A new producer on this worker. */
  createProducer(options: TransactionalProducerOptions): TransactionalProducer {
    const handle = this.#nextHandle++;
    const created = this.call(handle, { kind: 'create', options: { ...options } });
    // Its failure (a dead worker) surfaces through the producer's first call, which waits for it.
    created.catch(() => undefined);
    return new WorkerTransactionalProducer(this, handle, options.transactionalId, created);
  }

  /** @internal Posts call `request` on producer `handle`; resolves with the worker's answer. */
  call(
    handle: number,
    request: WithoutIds<TransactionalWorkerRequest>,
    transfer: ArrayBuffer[] = [],
  ): Promise<TransactionalWorkerReply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#thread.exited) {
      return Promise.reject(
        new KafkaClientError('The Kafka producer worker thread is gone', { reason: 'failed' }),
      );
    }
    const id = this.#nextId++;
    const answer = new Promise<TransactionalWorkerReply>((resolve, reject) =>
      this.#waiters.set(id, { resolve, reject }),
    );
    this.#pending.set(id, answer);
    const forget = () => this.#pending.delete(id);
    answer.then(forget, forget);
    this.#thread.postMessage({ ...request, id, handle }, transfer);
    // A caller that never awaits its call (a sink closing with a transaction left to the next
    // run) must not turn the close of the client into an unhandled rejection.
    answer.catch(() => undefined);
    return answer;
  }

  /** Ends the thread (the client is closing; its producers were closed before). */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // Calls still in flight (a transaction begun for the next checkpoint, say) get their answer
    // first; whatever is still unanswered after a grace period fails, since nobody will answer
    // it once the thread is gone.
    if (!this.#thread.exited && this.#waiters.size > 0) {
      const settled = [...this.#pending.values()].map((p) => p.then(noop, noop));
      await Promise.race([Promise.all(settled), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    this.#fail(new KafkaClientError('The Kafka client is closed', { reason: 'invalid-state' }));
    await this.#thread.terminate();
  }

  /** Records the first failure and rejects every call waiting for the worker. */
  #fail(error: KafkaClientError): void {
    this.#failure ??= error;
    const failure = this.#failure;
    for (const w of this.#waiters.values()) w.reject(failure);
    this.#waiters.clear();
  }
}

/** A transactional producer living in a {@link TransactionalWorkerHost}. */
class WorkerTransactionalProducer implements TransactionalProducer {
  #producerIdAndEpoch: { readonly producerId: bigint; readonly epoch: number } | undefined;
  #closed = false;

  constructor(
    private readonly host: TransactionalWorkerHost,
    private readonly handle: number,
    readonly transactionalId: string,
    private readonly created: Promise<unknown>,
  ) {}

  get producerIdAndEpoch(): { readonly producerId: bigint; readonly epoch: number } | undefined {
    return this.#producerIdAndEpoch;
  }

  async init(): Promise<void> {
    await this.created;
    const reply = await this.host.call(this.handle, { kind: 'init' });
    this.#producerIdAndEpoch = reply.producerIdAndEpoch;
  }

  async beginTransaction(): Promise<void> {
    await this.host.call(this.handle, { kind: 'begin' });
  }

  async send(records: readonly ProducerRecord[]): Promise<void> {
    if (records.length === 0) return;
    const frame = encodeProducerRecords(records);
    await this.host.call(this.handle, { kind: 'send', frame }, [frame.buffer]);
  }

  async sendOffsets(
    offsets: readonly PartitionOffset[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    if (offsets.length === 0) return;
    await this.host.call(this.handle, {
      kind: 'send-offsets',
      offsets: [...offsets],
      group: { ...group },
    });
  }

  async commitTransaction(): Promise<void> {
    await this.host.call(this.handle, { kind: 'commit' });
  }

  async abortTransaction(): Promise<void> {
    await this.host.call(this.handle, { kind: 'abort' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.host.call(this.handle, { kind: 'close' });
  }
}
