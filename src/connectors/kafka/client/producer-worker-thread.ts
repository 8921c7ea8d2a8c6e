/**
 * The thread of a Kafka producer worker (idempotent or transactional): started from
 * `producer-worker-entry.mjs`, it reports an error or an exit nobody asked for as a
 * {@link KafkaClientError}, so the producer on the task thread fails its waiting calls instead
 * of waiting for a thread that is gone.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { KafkaClientError } from './kafka-client-error.ts';

/** See the module documentation. */
export class ProducerWorkerThread<M> {
  readonly #worker: Worker;
  #exited = false;
  #terminating = false;

  /**
   * @param workerData - what the worker body starts with
   * @param lost - what an unexpected exit loses, for the error message
   * @param onMessage - each message the worker posts
   * @param fail - called once the thread failed or exited unexpectedly
   */
  constructor(
    workerData: unknown,
    lost: string,
    onMessage: (message: M) => void,
    fail: (error: KafkaClientError) => void,
  ) {
    // No `execArgv`: the worker inherits the parent's Node flags (`--cpu-prof` profiles it too),
    // and Node drops the per-process ones itself; passed explicitly, a flag such as
    // `--max-old-space-size` would make the constructor throw.
    this.#worker = new Worker(new URL('./producer-worker-entry.mjs', import.meta.url), {
      workerData,
    });
    this.#worker.on('message', (message: M) => onMessage(message));
    this.#worker.on('error', (error: Error) => {
      fail(
        new KafkaClientError(`The Kafka producer worker thread failed: ${error.message}`, {
          reason: 'failed',
          cause: error,
        }),
      );
    });
    this.#worker.on('exit', (code: number) => {
      this.#exited = true;
      if (this.#terminating) return;
      fail(
        new KafkaClientError(
          `The Kafka producer worker thread exited unexpectedly (exit code ${code}); ${lost}`,
          { reason: 'failed' },
        ),
      );
    });
  }

  /** Whether the thread is gone (ended, crashed or terminated). */
  get exited(): boolean {
    return this.#exited;
  }

  postMessage(message: unknown, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  /** Ends the thread on purpose: its exit is then no failure. */
  async terminate(): Promise<void> {
    this.#terminating = true;
    if (!this.#exited) await this.#worker.terminate();
  }
}
