/**
 * The writers of {@link KafkaSink}: one per subtask.
 *
 * Exactly-once uses a small pool of transactional ids per subtask,
 * `<prefix>-<subtask>-<slot>`: the transaction of checkpoint n must stay open until n completes
 * while records after the barrier already go into the next one, and a transaction that a crash
 * left pre-committed must be committable by id after a restart without touching newer ones
 * (Flink names them `<prefix>-<subtask>-<checkpoint>` for the same reasons). A slot is reused
 * only after its transaction is decided, and every use starts with `init()`, which bumps the
 * epoch — so a stale committable can never commit a newer transaction — and fences zombies.
 * On (re)start the runtime first recommits the restored committables (SinkOperator.open), then
 * `open()` initializes every slot of the subtask, aborting whatever a crashed run left open.
 *
 * @module
 */
import type { SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { Counter } from '../../core/metric-group.ts';
import type { IdempotentProducer } from './client/idempotent-producer.ts';
import type { KafkaClientPort } from './client/kafka-client-port.ts';
import type { ProducerRecord } from './client/kafka-record.ts';
import type {
  PreparedTransaction,
  TransactionalProducer,
} from './client/transactional-producer.ts';
import { kafkaEddyError } from './kafka-eddy-error.ts';
import type { KafkaSinkOptions } from './kafka-sink-options.ts';

/** What an exactly-once sink stores in a checkpoint for a pre-committed transaction. */
export interface KafkaCommittable extends PreparedTransaction {
  readonly subtask: number;
}

/** Serializes values into producer records; the partitioner's topic sizes are looked up once. */
class RecordEncoder<T> {
  private readonly partitionCounts = new Map<string, number>();
  bytesOut: Counter;
  recordsOut: Counter;
  constructor(
    private readonly options: KafkaSinkOptions<T>,
    private readonly client: () => KafkaClientPort,
    ctx: SinkWriterContext,
  ) {
    this.recordsOut = ctx.metrics.counter('kafka_records_out', 'records written to Kafka');
    this.bytesOut = ctx.metrics.counter('kafka_bytes_out', 'key and value bytes written to Kafka');
  }

  /** The records, or a promise of them when a partitioner needs a topic's partition count. */
  encode(
    values: readonly T[],
    timestamps: readonly number[],
    count: number,
  ): ProducerRecord[] | Promise<ProducerRecord[]> {
    const serializer = this.options.serializer;
    const records: ProducerRecord[] = new Array<ProducerRecord>(count);
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const r = serializer.serialize(values[i] as T, timestamps[i] as number);
      bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
      records[i] = r;
    }
    this.recordsOut.inc(count);
    this.bytesOut.inc(bytes);
    const partitioner = serializer.partitioner;
    if (partitioner === undefined) return records;
    const missing = [...new Set(records.map((r) => r.topic))].filter(
      (t) => !this.partitionCounts.has(t),
    );
    const place = (): ProducerRecord[] => {
      for (let i = 0; i < count; i++) {
        const r = records[i] as ProducerRecord;
        const p = partitioner(
          values[i] as T,
          r.key ?? null,
          this.partitionCounts.get(r.topic) ?? 1,
        );
        if (p !== undefined) records[i] = { ...r, partition: p };
      }
      return records;
    };
    if (missing.length === 0) return place();
    return this.client()
      .listPartitions({ topics: missing })
      .then((parts) => {
        for (const t of missing)
          this.partitionCounts.set(t, parts.filter((p) => p.topic === t).length);
        return place();
      });
  }
}

/** `none` and `at-least-once`: an idempotent producer. */
export class IdempotentKafkaWriter<T> implements SinkWriter<T> {
  private client: KafkaClientPort | undefined;
  private producer: IdempotentProducer | undefined;
  private readonly encoder: RecordEncoder<T>;
  private flushing: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly options: KafkaSinkOptions<T>,
    private readonly ctx: SinkWriterContext,
  ) {
    this.encoder = new RecordEncoder(options, () => this.client as KafkaClientPort, ctx);
  }

  open(): void {
    this.client = this.options.clientFactory(
      this.options.bootstrapServers,
      `eddy-${this.ctx.sinkName}-${this.ctx.subtaskIndex}`,
    );
    this.producer = this.client.createIdempotentProducer({
      maxBufferedRecords: this.options.maxInFlightRecords,
    });
  }

  write(values: readonly T[], timestamps: readonly number[], count: number): void | Promise<void> {
    this.throwFailure();
    const records = this.encoder.encode(values, timestamps, count);
    const producer = this.producer as IdempotentProducer;
    const sent = Array.isArray(records)
      ? producer.send(records)
      : records.then((r) => producer.send(r));
    return sent.catch((e: unknown) => {
      throw this.error(e, 'send');
    });
  }

  /**
   * At the barrier (at-least-once): flushes, and the checkpoint completes only once the broker has
   * acknowledged everything written before the barrier; records after it keep flowing meanwhile.
   */
  preCommit(): readonly never[] | Promise<readonly never[]> {
    if (this.options.deliveryGuarantee !== 'at-least-once' || this.producer === undefined)
      return [];
    const flushed = this.producer.flush().catch((e: unknown) => {
      this.failure ??= e;
      throw this.error(e, 'flush');
    });
    this.flushing = flushed.catch(() => {});
    return flushed.then(() => []);
  }

  async flush(): Promise<void> {
    await this.flushing;
    this.throwFailure();
    await this.producer?.flush().catch((e: unknown) => {
      throw this.error(e, 'flush');
    });
  }

  async close(): Promise<void> {
    await this.producer?.close().catch(() => undefined);
    await this.client?.close();
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.error(this.failure, 'flush at checkpoint');
  }

  private error(e: unknown, what: string): Error {
    return kafkaEddyError(e, 'SINK_FAILED', this.ctx.sinkName, what);
  }
}

/** One slot's producer and its transaction. */
interface Slot {
  readonly index: number;
  readonly transactionalId: string;
  producer: TransactionalProducer | undefined;
  /** Resolves when the producer is initialized and in a transaction. */
  ready: Promise<void> | undefined;
  initialized: boolean;
  /** Records sent in the open transaction. */
  records: number;
  /** Settles once every send of the open transaction is acknowledged (never rejects). */
  chain: Promise<void>;
  /** Settles once every send of the open transaction is handed to the producer. */
  issued: Promise<void>;
}

/** `exactly-once`: a Kafka transaction per checkpoint. See the module documentation. */
export class TransactionalKafkaWriter<T> implements SinkWriter<T, KafkaCommittable> {
  private client: KafkaClientPort | undefined;
  private readonly slots: Slot[] = [];
  private current: Slot | undefined;
  /** Pre-committed slots by transactional id, waiting for their checkpoint. */
  private readonly prepared = new Map<string, Slot>();
  private readonly encoder: RecordEncoder<T>;
  private inFlight = 0;
  private failure: unknown;
  private readonly committed: Counter;

  constructor(
    private readonly options: KafkaSinkOptions<T>,
    private readonly ctx: SinkWriterContext,
  ) {
    this.encoder = new RecordEncoder(options, () => this.connect(), ctx);
    this.committed = ctx.metrics.counter(
      'kafka_transactions_committed',
      'Kafka transactions committed',
    );
  }

  async open(): Promise<void> {
    this.connect();
    const prefix = this.options.transactionalIdPrefix as string;
    for (let i = 0; i < this.options.transactionPoolSize; i++) {
      this.slots.push({
        index: i,
        transactionalId: `${prefix}-${this.ctx.subtaskIndex}-${i}`,
        producer: undefined,
        ready: undefined,
        initialized: false,
        records: 0,
        chain: Promise.resolve(),
        issued: Promise.resolve(),
      });
    }
    // Initializing every slot fences zombies and aborts transactions a crashed run left open.
    for (const slot of this.slots) this.prepare(slot);
    await Promise.all(this.slots.map((s) => s.ready));
    this.current = this.slots[0];
  }

  write(values: readonly T[], timestamps: readonly number[], count: number): void | Promise<void> {
    if (this.failure !== undefined) throw this.error(this.failure, 'send');
    const slot = this.current as Slot;
    const encoded = this.encoder.encode(values, timestamps, count);
    slot.records += count;
    this.inFlight += count;
    const producer = (): TransactionalProducer => slot.producer as TransactionalProducer;
    // Sends are issued in order, but the next one does not wait for the previous one's
    // acknowledgement: the producer then gathers them into fewer requests (one round trip per
    // write capped the throughput). `chain` still settles only once every send is acknowledged.
    const issued = slot.issued.then(async () => {
      const records = await encoded;
      await slot.ready;
      return { acked: producer().send(records) };
    });
    slot.issued = issued.then(
      () => undefined,
      () => undefined,
    );
    const done = issued
      .then((send) => send.acked)
      .then(
        () => {
          this.inFlight -= count;
        },
        (e: unknown) => {
          this.inFlight -= count;
          this.failure ??= e;
        },
      );
    slot.chain = slot.chain.then(() => done);
    // Backpressure without a round trip per batch: wait only when too much is unacknowledged.
    if (this.inFlight > this.options.maxInFlightRecords) {
      return slot.chain.then(() => {
        if (this.failure !== undefined) throw this.error(this.failure, 'send');
      });
    }
    return undefined;
  }

  /**
   * Seals the open transaction at the barrier (synchronously: later records go to the next
   * transactional id) and resolves once the broker acknowledged all of its records, so a
   * completed checkpoint never refers to a transaction that lost a send.
   */
  preCommit(): readonly KafkaCommittable[] | Promise<readonly KafkaCommittable[]> {
    if (this.failure !== undefined) throw this.error(this.failure, 'send');
    const slot = this.current as Slot;
    if (slot.records === 0) return [];
    const next = this.slots.find(
      (s) => s !== slot && s.initialized && !this.prepared.has(s.transactionalId),
    );
    const id = slot.producer?.producerIdAndEpoch;
    if (next === undefined || id === undefined) {
      // Declines this checkpoint; the open transaction simply continues into the next one. Not a
      // failure (commits are only slow, e.g. on a loaded broker): it does not count towards
      // tolerableCheckpointFailures, or a job with the default 0 would fail over it.
      throw new EddyError(
        `no free transactional id: ${this.prepared.size} transactions still wait for their checkpoints to commit; the transaction goes on into the next checkpoint`,
        {
          code: 'CHECKPOINT_DECLINED',
          domain: 'external',
          retryable: true,
          hint: 'frequent? raise setTransactionPoolSize or the checkpoint interval',
        },
      );
    }
    this.prepared.set(slot.transactionalId, slot);
    this.current = next;
    const committable: KafkaCommittable = {
      transactionalId: slot.transactionalId,
      producerId: id.producerId.toString(),
      epoch: id.epoch,
      subtask: this.ctx.subtaskIndex,
    };
    return slot.chain.then(() => {
      if (this.failure !== undefined) throw this.error(this.failure, 'send');
      return [committable];
    });
  }

  async commit(committables: readonly KafkaCommittable[]): Promise<void> {
    for (const c of committables) {
      const slot = this.prepared.get(c.transactionalId);
      const live = slot?.producer?.producerIdAndEpoch;
      if (
        slot !== undefined &&
        live !== undefined &&
        live.producerId.toString() === c.producerId &&
        live.epoch === c.epoch
      ) {
        try {
          await slot.chain;
          if (this.failure !== undefined) throw this.failure;
          await (slot.producer as TransactionalProducer).commitTransaction();
        } catch (e) {
          throw this.error(e, `commit of transaction ${c.transactionalId}`);
        }
        this.committed.inc();
        this.prepared.delete(c.transactionalId);
        this.recycle(slot);
      } else {
        // Restored from a checkpoint: the producer that wrote it is gone.
        try {
          await this.connect().commitPreparedTransaction(c);
        } catch (e) {
          throw this.error(e, `recovery commit of transaction ${c.transactionalId}`);
        }
        this.committed.inc();
      }
    }
  }

  async abort(committables: readonly KafkaCommittable[]): Promise<void> {
    for (const c of committables) {
      const slot = this.prepared.get(c.transactionalId);
      if (slot === undefined) continue;
      this.prepared.delete(c.transactionalId);
      await slot.chain;
      await slot.producer?.abortTransaction().catch(() => undefined);
      this.recycle(slot);
    }
  }

  async close(): Promise<void> {
    // An open transaction is left to the next run's init() (or the broker's timeout).
    await Promise.allSettled(this.slots.map((s) => s.producer?.close()));
    await this.client?.close();
  }

  private connect(): KafkaClientPort {
    this.client ??= this.options.clientFactory(
      this.options.bootstrapServers,
      `eddy-${this.ctx.sinkName}-${this.ctx.subtaskIndex}`,
    );
    return this.client;
  }

  /** A fresh producer for the slot: init (epoch bump, fencing, abort) and begin a transaction. */
  private prepare(slot: Slot): void {
    const producer = this.connect().createTransactionalProducer({
      transactionalId: slot.transactionalId,
      transactionTimeoutMs: this.options.transactionTimeoutMs,
    });
    slot.producer = producer;
    slot.initialized = false;
    slot.records = 0;
    slot.chain = Promise.resolve();
    slot.issued = Promise.resolve();
    slot.ready = (async () => {
      await producer.init();
      await producer.beginTransaction();
      slot.initialized = true;
    })();
    slot.ready.catch((e: unknown) => {
      this.failure ??= e;
    });
  }

  private recycle(slot: Slot): void {
    const old = slot.producer;
    void old?.close();
    this.prepare(slot);
  }

  private error(e: unknown, what: string): Error {
    return kafkaEddyError(e, 'SINK_FAILED', this.ctx.sinkName, what);
  }
}
