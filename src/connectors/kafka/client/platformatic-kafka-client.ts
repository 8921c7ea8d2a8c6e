/**
 * {@link KafkaClientPort} over `@platformatic/kafka` 1.35 (pure TypeScript, no native build).
 *
 * Reads use the library's low-level `Consumer.fetch()` (one request per partition leader, no
 * group membership) with the record batches left as bytes ({@link RawFetchConsumer}) and decode
 * them with {@link decodePartitionRecordBytes}; metadata, offsets and group offsets go through
 * its `Admin`. Why this library, and what was proven against a real
 * broker: docs/adr/0003-kafka-client.md.
 *
 * @module
 */
import type { Admin, Connection, FetchIsolationLevelValue } from '@platformatic/kafka';
import type { FetchBatch, FetchOptions, FetchPositions, PartitionFetch } from './fetch-batch.ts';
import type { IdempotentProducer, IdempotentProducerOptions } from './idempotent-producer.ts';
import type { IsolationLevel } from './isolation-level.ts';
import { KafkaClientError, OffsetOutOfRangeError } from './kafka-client-error.ts';
import type { KafkaClientPort } from './kafka-client-port.ts';
import { protocolErrorIds, toKafkaClientError } from './kafka-error-mapping.ts';
import type { ListedOffset, OffsetSpec } from './offset-spec.ts';
import { platformaticKafka } from './platformatic-kafka-library.ts';
import { PlatformaticIdempotentProducer } from './platformatic-idempotent-producer.ts';
import {
  PlatformaticTransactionalProducer,
  type PlatformaticConnection,
} from './platformatic-transactional-producer.ts';
import { RawFetchConsumer, type RawFetchPartition } from './raw-fetch-consumer.ts';
import {
  decodePartitionRecordBytes,
  toSafeNumber,
  type RawRecordBatch,
} from './record-batch-decoder.ts';
import { TransactionalWorkerHost } from './worker-transactional-producer.ts';
import { WorkerIdempotentProducer } from './worker-idempotent-producer.ts';
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

const {
  endTxnV4,
  FetchIsolationLevels,
  FindCoordinatorKeyTypes,
  ListOffsetTimestamps,
  Reader,
  readRecordsBatch,
} = platformaticKafka;

/** Options of {@link PlatformaticKafkaClient}. */
export interface PlatformaticKafkaClientOptions {
  /** `host:port` of one or more brokers. */
  readonly bootstrapBrokers: readonly string[];
  /** Client id prefix sent to the broker (default `eddy`). */
  readonly clientId?: string;
  /** Per-request timeout (default 30 000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * Where producers build record batches and do their network I/O: `worker` (the default) a
   * worker thread per idempotent producer and one for all transactional producers of the client,
   * so a second core takes that work off the task thread;
   * `caller` the calling thread (less CPU per record, for machines without a spare core). See
   * docs/adr/0008-kafka-producer-worker-thread.md for the measurements.
   */
  readonly producerThread?: 'worker' | 'caller';
}

const DEFAULT_MAX_WAIT_MS = 500;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;

function isolationCode(level: IsolationLevel): FetchIsolationLevelValue {
  return level === 'read_committed'
    ? FetchIsolationLevels.READ_COMMITTED
    : FetchIsolationLevels.READ_UNCOMMITTED;
}

function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function groupByTopic<T extends TopicPartition>(items: readonly T[]): Map<string, T[]> {
  const byTopic = new Map<string, T[]>();
  for (const item of items) {
    let list = byTopic.get(item.topic);
    if (list === undefined) {
      list = [];
      byTopic.set(item.topic, list);
    }
    list.push(item);
  }
  return byTopic;
}

/** One record batch read by the library (compressed batches, transaction markers). */
function readLibraryBatch(batch: Buffer): RawRecordBatch {
  return readRecordsBatch(Reader.from(batch));
}

/** The whole-name version of a pattern, as Kafka's subscribe(Pattern) matches. */
function wholeName(pattern: RegExp): RegExp {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
}

/** See the module documentation. */
export class PlatformaticKafkaClient implements KafkaClientPort {
  readonly #connection: PlatformaticConnection;
  readonly #admin: Admin;
  readonly #reader: RawFetchConsumer;
  readonly #producerThread: 'worker' | 'caller';
  /** The worker thread of this client's transactional producers (started with the first). */
  #transactionalWorker: TransactionalWorkerHost | undefined;

  constructor(options: PlatformaticKafkaClientOptions) {
    this.#producerThread = options.producerThread ?? 'worker';
    this.#connection = {
      clientId: options.clientId ?? 'eddy',
      bootstrapBrokers: [...options.bootstrapBrokers],
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    };
    const base = {
      bootstrapBrokers: [...options.bootstrapBrokers],
      requestTimeout: this.#connection.requestTimeoutMs,
      retries: 3,
      retryDelay: 200,
    };
    this.#admin = new platformaticKafka.Admin({
      ...base,
      clientId: `${this.#connection.clientId}-admin`,
    });
    // The library's Consumer needs a group id even though fetch() never joins a group.
    this.#reader = new RawFetchConsumer({
      ...base,
      clientId: `${this.#connection.clientId}-reader`,
      groupId: `${this.#connection.clientId}-engine-managed-reader`,
    });
  }

  async listPartitions(selector: TopicSelector): Promise<TopicPartition[]> {
    try {
      let topics: string[];
      if ('pattern' in selector) {
        const pattern = wholeName(selector.pattern);
        topics = (await this.#admin.listTopics()).filter((name) => pattern.test(name));
      } else {
        topics = [...new Set(selector.topics)];
      }
      if (topics.length === 0) return [];
      const metadata = await this.#admin.metadata({ topics, forceUpdate: true });
      const result: TopicPartition[] = [];
      for (const topic of topics) {
        const info = metadata.topics.get(topic);
        if (info === undefined) {
          throw new KafkaClientError(`Kafka topic "${topic}" does not exist`, {
            reason: 'unknown-topic-or-partition',
          });
        }
        for (let partition = 0; partition < info.partitionsCount; partition++) {
          result.push({ topic, partition });
        }
      }
      return result.sort(compareTopicPartitions);
    } catch (error) {
      throw toKafkaClientError(error, 'listPartitions');
    }
  }

  async listOffsets(
    partitions: readonly TopicPartition[],
    spec: OffsetSpec,
    isolationLevel: IsolationLevel = 'read_uncommitted',
  ): Promise<ListedOffset[]> {
    if (partitions.length === 0) return [];
    const timestamp =
      spec === 'earliest'
        ? ListOffsetTimestamps.EARLIEST
        : spec === 'latest'
          ? ListOffsetTimestamps.LATEST
          : BigInt(spec.timestamp);
    try {
      const found = await this.#listOffsetsRaw(partitions, timestamp, isolationLevel);
      if (typeof spec === 'string') {
        return partitions.map((tp) => ({
          ...tp,
          offset: this.#offsetOf(found, tp).offset,
          timestamp: null,
        }));
      }
      // No record at or after the timestamp: Kafka answers -1; we answer the end offset.
      const missing = partitions.filter((tp) => this.#offsetOf(found, tp).offset < 0);
      const ends =
        missing.length > 0
          ? await this.#listOffsetsRaw(missing, ListOffsetTimestamps.LATEST, isolationLevel)
          : new Map<string, { offset: number; timestamp: number }>();
      return partitions.map((tp) => {
        const hit = this.#offsetOf(found, tp);
        return hit.offset >= 0
          ? { ...tp, offset: hit.offset, timestamp: hit.timestamp }
          : { ...tp, offset: this.#offsetOf(ends, tp).offset, timestamp: null };
      });
    } catch (error) {
      throw toKafkaClientError(error, 'listOffsets');
    }
  }

  async fetch(positions: FetchPositions, options: FetchOptions): Promise<FetchBatch> {
    if (positions.length === 0) return { partitions: [] };
    try {
      return await this.#fetchOnce(positions, options, false);
    } catch (error) {
      const ids = protocolErrorIds(error);
      if (ids.has('OFFSET_OUT_OF_RANGE')) throw await this.#outOfRange(positions, error);
      const stale = [
        'UNKNOWN_TOPIC_ID',
        'NOT_LEADER_OR_FOLLOWER',
        'FENCED_LEADER_EPOCH',
        'UNKNOWN_LEADER_EPOCH',
      ];
      if (!stale.some((id) => ids.has(id))) throw toKafkaClientError(error, 'fetch');
      // Leadership or topic ids changed: refresh metadata and try once more.
      try {
        return await this.#fetchOnce(positions, options, true);
      } catch (retryError) {
        if (protocolErrorIds(retryError).has('OFFSET_OUT_OF_RANGE')) {
          throw await this.#outOfRange(positions, retryError);
        }
        throw toKafkaClientError(retryError, 'fetch');
      }
    }
  }

  async commitGroupOffsets(groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.#admin.alterConsumerGroupOffsets({
        groupId,
        topics: [...groupByTopic(offsets)].map(([name, list]) => ({
          name,
          partitionOffsets: list.map((o) => ({ partition: o.partition, offset: BigInt(o.offset) })),
        })),
      });
    } catch (error) {
      throw toKafkaClientError(error, `commitGroupOffsets (group ${groupId})`);
    }
  }

  async listGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    try {
      const groups = await this.#admin.listConsumerGroupOffsets({
        groups: [
          {
            groupId,
            topics: [...groupByTopic(partitions)].map(([name, list]) => ({
              name,
              partitionIndexes: list.map((tp) => tp.partition),
            })),
          },
        ],
        requireStable: true,
      });
      const committed = new Map<string, number>();
      for (const group of groups) {
        for (const topic of group.topics) {
          for (const p of topic.partitions) {
            if (p.committedOffset >= 0n) {
              committed.set(
                `${topic.name}\0${p.partitionIndex}`,
                toSafeNumber(p.committedOffset, 'offset'),
              );
            }
          }
        }
      }
      return partitions.map((tp) => ({
        ...tp,
        offset: committed.get(`${tp.topic}\0${tp.partition}`) ?? null,
      }));
    } catch (error) {
      throw toKafkaClientError(error, `listGroupOffsets (group ${groupId})`);
    }
  }

  async commitPreparedTransaction(prepared: PreparedTransaction): Promise<void> {
    const producerId = BigInt(prepared.producerId);
    let lastError: unknown;
    // The coordinator may be loading or still writing markers (CONCURRENT_TRANSACTIONS): retry.
    for (let attempt = 0; attempt < 20; attempt++) {
      let connection: Connection | undefined;
      try {
        const [coordinator] = await this.#admin.findCoordinator({
          keyType: FindCoordinatorKeyTypes.TRANSACTION,
          keys: [prepared.transactionalId],
        });
        const metadata = await this.#admin.metadata({ topics: [], forceUpdate: true });
        const broker =
          coordinator === undefined ? undefined : metadata.brokers.get(coordinator.nodeId);
        if (broker === undefined) throw new Error('no transaction coordinator found');
        connection = new platformaticKafka.Connection(`${this.#connection.clientId}-recommit`, {
          requestTimeout: this.#connection.requestTimeoutMs,
        });
        await connection.connect(broker.host, broker.port);
        // EndTxn v4, as the library's producer sends it (transaction protocol v1: the epoch stays
        // the same across the producer's transactions, so the id and epoch name this one).
        await endTxnV4.api.async(
          connection,
          prepared.transactionalId,
          producerId,
          prepared.epoch,
          true,
        );
        return;
      } catch (error) {
        const ids = protocolErrorIds(error);
        if (
          ids.has('PRODUCER_FENCED') ||
          ids.has('INVALID_PRODUCER_EPOCH') ||
          ids.has('INVALID_PRODUCER_ID_MAPPING')
        ) {
          // Decided already: committed before, then the id was initialized again (epoch bumped).
          return;
        }
        if (ids.has('INVALID_TXN_STATE')) {
          // With the epoch still current, the coordinator refuses a commit only when the
          // transaction was aborted: its records are gone. Flink logs this as likely data loss.
          process.emitWarning(
            `Kafka transaction ${prepared.transactionalId} of a completed checkpoint was aborted ` +
              'before it could be committed; its records are lost. Usually its transaction timed out ' +
              '(raise setTransactionTimeout above the longest outage plus recovery) or another job ' +
              'uses the same transactional id prefix.',
            'EddyKafkaDataLoss',
          );
          return;
        }
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await connection?.close().catch(() => undefined);
      }
    }
    throw toKafkaClientError(lastError, `commitPreparedTransaction (${prepared.transactionalId})`);
  }

  createTransactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
    if (this.#producerThread !== 'worker') {
      return new PlatformaticTransactionalProducer(this.#connection, options);
    }
    this.#transactionalWorker ??= new TransactionalWorkerHost(this.#connection);
    return this.#transactionalWorker.createProducer(options);
  }

  createIdempotentProducer(options: IdempotentProducerOptions = {}): IdempotentProducer {
    return this.#producerThread === 'worker'
      ? new WorkerIdempotentProducer(this.#connection, options)
      : new PlatformaticIdempotentProducer(this.#connection, options);
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.#admin.close(),
      this.#reader.close(),
      this.#transactionalWorker?.close(),
    ]);
  }

  async #listOffsetsRaw(
    partitions: readonly TopicPartition[],
    timestamp: bigint,
    isolationLevel: IsolationLevel,
  ): Promise<Map<string, { offset: number; timestamp: number }>> {
    const topics = await this.#admin.listOffsets({
      topics: [...groupByTopic(partitions)].map(([name, list]) => ({
        name,
        partitions: list.map((tp) => ({ partitionIndex: tp.partition, timestamp })),
      })),
      isolationLevel: isolationCode(isolationLevel),
    });
    const result = new Map<string, { offset: number; timestamp: number }>();
    for (const topic of topics) {
      for (const p of topic.partitions) {
        result.set(`${topic.name}\0${p.partitionIndex}`, {
          offset: toSafeNumber(p.offset, 'offset'),
          timestamp: Number(p.timestamp),
        });
      }
    }
    return result;
  }

  #offsetOf(
    found: Map<string, { offset: number; timestamp: number }>,
    tp: TopicPartition,
  ): { offset: number; timestamp: number } {
    const hit = found.get(`${tp.topic}\0${tp.partition}`);
    if (hit === undefined) {
      throw new KafkaClientError(`No offset returned for ${tp.topic}-${tp.partition}`, {
        reason: 'unknown-topic-or-partition',
      });
    }
    return hit;
  }

  async #fetchOnce(
    positions: FetchPositions,
    options: FetchOptions,
    refreshMetadata: boolean,
  ): Promise<FetchBatch> {
    const topicNames = [...new Set(positions.map((p) => p.topic))];
    const metadata = await this.#reader.metadata({
      topics: topicNames,
      forceUpdate: refreshMetadata,
    });
    const partitionMaxBytes = options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
    // leader -> topic id -> partitions
    const requests = new Map<number, Map<string, { partition: number; offset: number }[]>>();
    const topicById = new Map<string, string>();
    for (const position of positions) {
      const topic = metadata.topics.get(position.topic);
      const leader = topic?.partitions[position.partition]?.leader;
      if (topic === undefined || leader === undefined || leader < 0) {
        throw new KafkaClientError(
          `No leader for ${position.topic}-${position.partition} (does the partition exist?)`,
          { reason: 'unknown-topic-or-partition', retryable: true },
        );
      }
      topicById.set(topic.id, position.topic);
      let byTopic = requests.get(leader);
      if (byTopic === undefined) {
        byTopic = new Map();
        requests.set(leader, byTopic);
      }
      let list = byTopic.get(topic.id);
      if (list === undefined) {
        list = [];
        byTopic.set(topic.id, list);
      }
      list.push({ partition: position.partition, offset: position.offset });
    }
    const requested = new Map(positions.map((p) => [`${p.topic}\0${p.partition}`, p.offset]));
    const responses = await Promise.all(
      [...requests].map(([node, byTopic]) =>
        this.#reader.fetch({
          node,
          isolationLevel: isolationCode(options.isolationLevel),
          maxWaitTime: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
          minBytes: options.minBytes ?? 1,
          maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
          topics: [...byTopic].map(([topicId, list]) => ({
            topicId,
            partitions: list.map(({ partition, offset }) => ({
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(offset),
              lastFetchedEpoch: -1,
              partitionMaxBytes,
            })),
          })),
        }),
      ),
    );
    const partitions: PartitionFetch[] = [];
    for (const response of responses) {
      for (const topicResponse of response.responses) {
        const topic = topicById.get(topicResponse.topicId);
        if (topic === undefined) continue;
        for (const p of topicResponse.partitions) {
          const fetchOffset = requested.get(`${topic}\0${p.partitionIndex}`);
          if (fetchOffset === undefined) continue;
          const decoded = decodePartitionRecordBytes(
            topic,
            p.partitionIndex,
            fetchOffset,
            // RawFetchConsumer's responses carry the record batches as bytes.
            (p as RawFetchPartition).recordBytes,
            p.abortedTransactions,
            options.isolationLevel,
            readLibraryBatch,
          );
          partitions.push({
            topic,
            partition: p.partitionIndex,
            records: decoded.records,
            nextOffset: decoded.nextOffset,
            highWatermark: toSafeNumber(p.highWatermark, 'offset'),
            lastStableOffset: toSafeNumber(p.lastStableOffset, 'offset'),
            logStartOffset: toSafeNumber(p.logStartOffset, 'offset'),
          });
        }
      }
    }
    return { partitions: partitions.sort(compareTopicPartitions) };
  }

  /** Finds which positions are outside their partition's log, for the error. */
  async #outOfRange(positions: FetchPositions, cause: unknown): Promise<KafkaClientError> {
    try {
      const [earliest, latest] = await Promise.all([
        this.listOffsets(positions, 'earliest'),
        this.listOffsets(positions, 'latest'),
      ]);
      const bad = positions.filter(
        (p, i) =>
          p.offset < (earliest[i]?.offset ?? 0) || p.offset > (latest[i]?.offset ?? Infinity),
      );
      return new OffsetOutOfRangeError(
        bad.map(({ topic, partition }) => ({ topic, partition })),
        cause,
      );
    } catch {
      return new OffsetOutOfRangeError(
        positions.map(({ topic, partition }) => ({ topic, partition })),
        cause,
      );
    }
  }
}
