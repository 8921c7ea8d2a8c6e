/**
 * The body of a Kafka producer worker thread (started by {@link WorkerIdempotentProducer}): owns
 * one {@link PlatformaticIdempotentProducer}, so record-batch building, compression and the
 * produce requests' network I/O run on this thread, next to the task thread that serializes the
 * values. Frames are handled in arrival order, so a flush covers every frame posted before it.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PlatformaticIdempotentProducer } from './platformatic-idempotent-producer.ts';
import { toLibraryMessage } from './producer-messages.ts';
import { decodeProducerRecords } from './producer-record-frame.ts';
import {
  toKafkaClientErrorData,
  type ProducerWorkerData,
  type ProducerWorkerReply,
  type ProducerWorkerRequest,
} from './producer-worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('producer-worker.ts must run in a worker thread');
const data = workerData as ProducerWorkerData;
const producer = new PlatformaticIdempotentProducer(data.connection, data.options);
let frames = 0;
/** After a failure is reported once, later sends fail silently: the task thread already knows. */
let failed = false;

function reply(message: ProducerWorkerReply): void {
  port?.postMessage(message);
}

port.on('message', (request: ProducerWorkerRequest) => {
  switch (request.kind) {
    case 'send': {
      frames += 1;
      if (data.crashAfterFrames !== undefined && frames > data.crashAfterFrames) process.exit(70);
      const count = request.frame.count;
      let sent: Promise<void>;
      try {
        sent = producer.sendMessages(decodeProducerRecords(request.frame, toLibraryMessage));
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        () => reply({ kind: 'accepted', count }),
        (error: unknown) => {
          if (failed) return;
          failed = true;
          reply({ kind: 'failed', error: toKafkaClientErrorData(error) });
        },
      );
      break;
    }
    case 'flush':
      producer.flush().then(
        () => reply({ kind: 'flushed', id: request.id }),
        (error: unknown) =>
          reply({ kind: 'flushed', id: request.id, error: toKafkaClientErrorData(error) }),
      );
      break;
    case 'close':
      producer.close().then(
        () => reply({ kind: 'closed' }),
        (error: unknown) => reply({ kind: 'closed', error: toKafkaClientErrorData(error) }),
      );
      break;
  }
});
