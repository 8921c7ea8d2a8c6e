/**
 * {@link TransactionalProducer} over `@platformatic/kafka` 1.35.
 *
 * Works around three behaviours of the library (each proven in test/kafka/platformatic-spike.test.ts):
 * - `InitProducerId` is sent with producer id 0 / epoch 0 unless told otherwise, which the broker
 *   reads as "I am producer 0" and answers PRODUCER_FENCED for any other id already bound to the
 *   transactional id: a restarted sink could never take over its id. We pass -1 / -1.
 * - Committing or aborting a transaction that wrote nothing fails with INVALID_TXN_STATE (the
 *   broker never heard of it); such a transaction is ended locally.
 * - Concurrent `AddPartitionsToTxn` / `TxnOffsetCommit` calls are de-duplicated by operation name
 *   inside the library, so overlapping sends could skip registering a partition: sends and offset
 *   commits are chained here.
 *
 * @module
 */
import type { Admin, Consumer, Message, MessageToProduce, Producer } from '@platformatic/kafka';
import { KafkaClientError, ProducerFencedError } from './kafka-client-error.ts';
import { isFencingError, protocolErrorIds, toKafkaClientError } from './kafka-error-mapping.ts';
import type { ProducerRecord } from './kafka-record.ts';
import {
  chunkBySize,
  createJavaCompatiblePartitioner,
  toLibraryMessages,
} from './producer-messages.ts';
import { RecordBatchProducer } from './record-batch-producer.ts';
import type { PartitionOffset } from './topic-partition.ts';
import type {
  ConsumerGroupMetadata,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './transactional-producer.ts';
import { platformaticKafka } from './platformatic-kafka-library.ts';

const { FindCoordinatorKeyTypes } = platformaticKafka;

/** The library's transaction handle (its class is not exported by name). */
type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

/** Connection settings shared by the client and the producers it creates. */
export interface PlatformaticConnection {
  readonly clientId: string;
  readonly bootstrapBrokers: readonly string[];
  readonly requestTimeoutMs: number;
}

type State = 'new' | 'ready' | 'in-transaction' | 'fenced' | 'closed';

/** See the module documentation. */
export class PlatformaticTransactionalProducer implements TransactionalProducer {
  readonly transactionalId: string;
  readonly #producer: RecordBatchProducer;
  readonly #connection: PlatformaticConnection;
  #state: State = 'new';
  #transaction: Transaction | undefined;
  /** Whether the current transaction has written anything the broker knows of. */
  #dirty = false;
  /** Sends and offset commits of the current transaction, in order. */
  #chain: Promise<void> = Promise.resolve();
  #chainError: unknown;
  /** Records of `send` calls for the queued request that will carry them, until it starts. */
  #gathered: MessageToProduce[] | undefined;
  /** That queued request; later sends queue a new one. */
  #gatheredSend: Promise<void> | undefined;
  #groups = new Set<string>();
  #admin: Admin | undefined;

  constructor(connection: PlatformaticConnection, options: TransactionalProducerOptions) {
    this.transactionalId = options.transactionalId;
    this.#connection = connection;
    this.#producer = new RecordBatchProducer({
      clientId: `${connection.clientId}-txn`,
      bootstrapBrokers: [...connection.bootstrapBrokers],
      requestTimeout: connection.requestTimeoutMs,
      idempotent: true,
      transactionalId: options.transactionalId,
      // The library sends `timeout` as the transaction timeout of InitProducerId (and as the
      // produce request's broker-side timeout).
      timeout: options.transactionTimeoutMs ?? 60_000,
      // See the module documentation: without these the broker fences every new instance.
      producerId: -1n,
      producerEpoch: -1,
      partitioner: createJavaCompatiblePartitioner(),
      retries: 5,
      retryDelay: 200,
    });
  }

  /** The producer id and epoch the broker assigned (for logs and tests). */
  get producerIdAndEpoch(): { producerId: bigint; epoch: number } | undefined {
    const producerId = this.#producer.producerId;
    const epoch = this.#producer.producerEpoch;
    return producerId === undefined || epoch === undefined ? undefined : { producerId, epoch };
  }

  async init(): Promise<void> {
    this.#check('new', 'init');
    try {
      // The library has no separate initTransactions(): its first beginTransaction() sends
      // InitProducerId. The local transaction it opens is the first one we hand out.
      this.#transaction = await this.#producer.beginTransaction();
      this.#state = 'ready';
    } catch (error) {
      throw this.#fail(error, 'init');
    }
  }

  async beginTransaction(): Promise<void> {
    this.#check('ready', 'beginTransaction');
    try {
      this.#transaction ??= await this.#producer.beginTransaction();
    } catch (error) {
      throw this.#fail(error, 'beginTransaction');
    }
    this.#dirty = false;
    this.#groups.clear();
    this.#chain = Promise.resolve();
    this.#chainError = undefined;
    this.#gathered = undefined;
    this.#gatheredSend = undefined;
    this.#state = 'in-transaction';
  }

  send(records: readonly ProducerRecord[]): Promise<void> {
    this.#check('in-transaction', 'send');
    if (records.length === 0) return Promise.resolve();
    const transaction = this.#currentTransaction();
    this.#dirty = true;
    // Sends made while an earlier one is in flight join one request (as the idempotent producer
    // gathers them): one round trip per send call capped the throughput at a write's batch size
    // per round trip. Each call's promise is that of the request carrying its records.
    if (this.#gathered === undefined || this.#gatheredSend === undefined) {
      const batch: MessageToProduce[] = [];
      this.#gathered = batch;
      this.#gatheredSend = this.#enqueue('send', async () => {
        if (this.#gathered === batch) {
          this.#gathered = undefined;
          this.#gatheredSend = undefined;
        }
        for (const chunk of chunkBySize(batch)) await transaction.send({ messages: chunk });
      });
    }
    for (const message of toLibraryMessages(records)) this.#gathered.push(message);
    return this.#gatheredSend;
  }

  sendOffsets(offsets: readonly PartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.#check('in-transaction', 'sendOffsets');
    if (offsets.length === 0) return Promise.resolve();
    const transaction = this.#currentTransaction();
    this.#dirty = true;
    return this.#enqueue('sendOffsets', async () => {
      if (!this.#groups.has(group.groupId)) {
        // addConsumer() reads only the consumer's groupId (AddOffsetsToTxn).
        const groupOnly = { groupId: group.groupId } as unknown as Consumer;
        await transaction.addConsumer(groupOnly);
        this.#groups.add(group.groupId);
      }
      const coordinatorId = await this.#groupCoordinator(group.groupId);
      for (const offset of offsets) {
        // addOffset() commits `message.offset + 1` with the group metadata of the message; one
        // TxnOffsetCommit per partition, sequentially (the library de-duplicates concurrent ones).
        const message = {
          topic: offset.topic,
          partition: offset.partition,
          offset: BigInt(offset.offset) - 1n,
          metadata: {
            consumer: {
              groupId: group.groupId,
              generationId: group.generationId,
              memberId: group.memberId,
              coordinatorId,
            },
          },
        } as unknown as Message;
        await transaction.addOffset(message);
      }
    });
  }

  async commitTransaction(): Promise<void> {
    await this.#end(true);
  }

  async abortTransaction(): Promise<void> {
    await this.#end(false);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await Promise.allSettled([this.#producer.close(), this.#admin?.close()]);
  }

  async #end(commit: boolean): Promise<void> {
    const operation = commit ? 'commitTransaction' : 'abortTransaction';
    this.#check('in-transaction', operation);
    const transaction = this.#currentTransaction();
    await this.#chain;
    if (this.#chainError !== undefined && commit) {
      // A failed send or offset commit must not be followed by a commit: abort instead.
      const cause = this.#chainError;
      await this.#end(false).catch(() => this.#resetLocally(transaction));
      throw this.#fail(cause, 'send (commit refused)');
    }
    try {
      if (this.#dirty) {
        await (commit ? transaction.commit() : transaction.abort());
      } else {
        // Nothing reached the broker: EndTxn would fail with INVALID_TXN_STATE.
        await transaction.cancel();
      }
    } catch (error) {
      if (!commit && !isFencingError(error) && protocolErrorIds(error).has('INVALID_TXN_STATE')) {
        // The writes failed before the broker registered the transaction: nothing to abort.
        await this.#resetLocally(transaction);
        return;
      }
      throw this.#fail(error, operation);
    }
    this.#transaction = undefined;
    this.#state = 'ready';
  }

  async #resetLocally(transaction: Transaction): Promise<void> {
    await transaction.cancel().catch(() => undefined);
    this.#transaction = undefined;
    if (this.#state === 'in-transaction') this.#state = 'ready';
  }

  #enqueue(operation: string, task: () => Promise<void>): Promise<void> {
    // Records sent after another operation (an offset commit) go in a request after it.
    if (operation !== 'send') {
      this.#gathered = undefined;
      this.#gatheredSend = undefined;
    }
    const run = this.#chain.then(async () => {
      if (this.#chainError !== undefined) throw this.#chainError;
      try {
        await task();
      } catch (error) {
        const mapped = this.#fail(error, operation);
        this.#chainError = mapped;
        throw mapped;
      }
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #groupCoordinator(groupId: string): Promise<number> {
    this.#admin ??= new platformaticKafka.Admin({
      clientId: `${this.#connection.clientId}-txn-admin`,
      bootstrapBrokers: [...this.#connection.bootstrapBrokers],
      requestTimeout: this.#connection.requestTimeoutMs,
    });
    const coordinators = await this.#admin.findCoordinator({
      keyType: FindCoordinatorKeyTypes.GROUP,
      keys: [groupId],
    });
    const coordinator = coordinators.find((c) => c.key === groupId);
    if (coordinator === undefined) {
      throw new KafkaClientError(`No coordinator found for group ${groupId}`, {
        reason: 'unavailable',
        retryable: true,
      });
    }
    return coordinator.nodeId;
  }

  #currentTransaction(): Transaction {
    const transaction = this.#transaction;
    if (transaction === undefined) {
      throw new KafkaClientError('No open transaction', { reason: 'invalid-state' });
    }
    return transaction;
  }

  #check(expected: State, operation: string): void {
    if (this.#state === expected) return;
    if (this.#state === 'fenced') throw new ProducerFencedError(this.transactionalId);
    throw new KafkaClientError(
      `Cannot ${operation}: the transactional producer "${this.transactionalId}" is ${
        this.#state === 'in-transaction' ? 'in a transaction' : this.#state
      } (expected ${expected}).`,
      { reason: 'invalid-state' },
    );
  }

  #fail(error: unknown, operation: string): KafkaClientError {
    if (error instanceof ProducerFencedError || isFencingError(error)) {
      this.#state = 'fenced';
      this.#transaction = undefined;
    }
    return toKafkaClientError(
      error,
      `${operation} (transactional id ${this.transactionalId})`,
      this.transactionalId,
    );
  }
}
