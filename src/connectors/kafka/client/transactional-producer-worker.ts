/**
 * The body of a transactional producer worker thread (started by a client's
 * {@link TransactionalWorkerHost}): owns the client's {@link PlatformaticTransactionalProducer}s
 * by handle and starts each call in arrival order, so a commit follows every send posted before
 * it on the same producer.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PlatformaticTransactionalProducer } from './platformatic-transactional-producer.ts';
import { decodeProducerRecords } from './producer-record-frame.ts';
import { toKafkaClientErrorData } from './producer-worker-protocol.ts';
import type {
  TransactionalWorkerData,
  TransactionalWorkerReply,
  TransactionalWorkerRequest,
} from './transactional-producer-worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('transactional-producer-worker.ts must run in a worker thread');
const data = workerData as TransactionalWorkerData;
const producers = new Map<number, PlatformaticTransactionalProducer>();

function producerOf(handle: number): PlatformaticTransactionalProducer {
  const p = producers.get(handle);
  if (p === undefined) throw new Error(`no transactional producer ${handle} in the worker`);
  return p;
}

function run(request: TransactionalWorkerRequest): Promise<void> {
  if (request.kind === 'create') {
    producers.set(
      request.handle,
      new PlatformaticTransactionalProducer(data.connection, request.options),
    );
    return Promise.resolve();
  }
  const producer = producerOf(request.handle);
  switch (request.kind) {
    case 'init':
      return producer.init();
    case 'begin':
      return producer.beginTransaction();
    case 'send':
      return producer.send(decodeProducerRecords(request.frame));
    case 'send-offsets':
      return producer.sendOffsets(request.offsets, request.group);
    case 'commit':
      return producer.commitTransaction();
    case 'abort':
      return producer.abortTransaction();
    case 'close':
      producers.delete(request.handle);
      return producer.close();
  }
}

port.on('message', (request: TransactionalWorkerRequest) => {
  let done: Promise<void>;
  try {
    // The producer's own checks throw synchronously: they answer like any other failure.
    done = run(request);
  } catch (error) {
    done = Promise.reject(error);
  }
  done.then(
    () => {
      const reply: TransactionalWorkerReply =
        request.kind === 'init'
          ? { id: request.id, ...optional(producers.get(request.handle)?.producerIdAndEpoch) }
          : { id: request.id };
      port.postMessage(reply);
    },
    (error: unknown) => port.postMessage({ id: request.id, error: toKafkaClientErrorData(error) }),
  );
});

function optional(
  p: { producerId: bigint; epoch: number } | undefined,
): Pick<TransactionalWorkerReply, 'producerIdAndEpoch'> {
  return p === undefined ? {} : { producerIdAndEpoch: p };
}
