/**
 * The messages between a {@link WorkerTransactionalProducer} (task thread) and its transactional
 * producer worker thread: one call per {@link TransactionalProducer} method, answered by id.
 *
 * @module
 */
import type { KafkaClientErrorData } from './producer-worker-protocol.ts';
import type { PlatformaticConnection } from './platformatic-transactional-producer.ts';
import type { ProducerRecordFrame } from './producer-record-frame.ts';
import type { PartitionOffset } from './topic-partition.ts';
import type {
  ConsumerGroupMetadata,
  TransactionalProducerOptions,
} from './transactional-producer.ts';

/** What a transactional producer worker starts with (its `workerData`). */
export interface TransactionalWorkerData {
  readonly mode: 'transactional';
  readonly connection: PlatformaticConnection;
}

/**
 * Task thread → worker: a method call with its id, on the producer `handle` (one worker hosts
 * every transactional producer of a client: a sink makes a new one per transaction).
 */
export type TransactionalWorkerRequest = { readonly id: number; readonly handle: number } & (
  | { readonly kind: 'create'; readonly options: TransactionalProducerOptions }
  | { readonly kind: 'init' }
  | { readonly kind: 'begin' }
  | { readonly kind: 'send'; readonly frame: ProducerRecordFrame }
  | {
      readonly kind: 'send-offsets';
      readonly offsets: readonly PartitionOffset[];
      readonly group: ConsumerGroupMetadata;
    }
  | { readonly kind: 'commit' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'close' }
);

/** Worker → task thread: the outcome of call `id` (with the producer id and epoch after init). */
export interface TransactionalWorkerReply {
  readonly id: number;
  readonly error?: KafkaClientErrorData;
  readonly producerIdAndEpoch?: { readonly producerId: bigint; readonly epoch: number };
}
