/**
 * Slot worker threads started before their job. A slot worker's start is mostly imports: the
 * tsx loader (from a checkout), Eddy's runtime and the API the job module imports. A process
 * that knows it will run a job on worker threads — an application host, started while the old
 * version of an update takes its savepoint, or while its own main thread imports the job and
 * reads the checkpoint it restores — starts them early with {@link warmSlotWorkers}; the job's
 * coordinator then takes them ({@link takeWarmSlotWorker}) and hands each its slot in an
 * `assign` command, instead of starting cold threads. Whatever is not taken is ended with
 * {@link discardWarmSlotWorkers}.
 *
 * A process that runs jobs one after another — `eddy bench` runs a warm-up job, then the one it
 * measures — can also keep the threads of a finished job ({@link keepFinishedSlotWorkers}): they
 * go back to the pool instead of ending, and the next job gets threads whose code V8 has
 * compiled already, as a Flink job gets the warm JVM of the TaskManager its warm-up ran in.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { startSlotWorker } from './slot-worker-thread.ts';

interface WarmWorker {
  readonly worker: Worker;
  /** Whether it registered tsx (see slot-worker-entry.mjs). */
  readonly typescript: boolean;
  /** Removes the pool's listeners. */
  readonly detach: () => void;
}

/** From a checkout every slot worker registers tsx (Eddy itself is TypeScript there). */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

const pool: WarmWorker[] = [];

/** How to warm slot workers. */
export interface WarmSlotOptions {
  /** How many (the job's slots: its largest parallelism). */
  readonly count: number;
  /** Module URLs each imports while it waits (the modules the job module imports). */
  readonly preload: readonly string[];
  /** Whether the job module to come is TypeScript. */
  readonly typescript: boolean;
}

let keepFinished = false;

/**
 * Starts `count` warm slot workers. They do not keep the process alive; one whose start fails
 * leaves the pool (the job's slot then starts cold and reports the error itself).
 */
export function warmSlotWorkers(o: WarmSlotOptions): void {
  for (let i = 0; i < o.count; i++) {
    const worker = startSlotWorker({
      warm: { preload: [...o.preload], typescript: o.typescript },
    });
    pool.push(pooled(worker, FROM_SOURCE || o.typescript));
  }
}

/** A worker waiting in the pool: it does not keep the process alive, and leaves when it ends. */
function pooled(worker: Worker, typescript: boolean): WarmWorker {
  worker.unref();
  const leave = (): void => {
    const at = pool.findIndex((w) => w.worker === worker);
    if (at >= 0) pool.splice(at, 1);
  };
  // An error while it waits is not a job's: it only makes this worker unusable.
  const onError = (): void => leave();
  worker.on('error', onError);
  worker.on('exit', leave);
  return {
    worker,
    typescript,
    detach: () => {
      worker.off('error', onError);
      worker.off('exit', leave);
    },
  };
}

/**
 * Whether the slot workers of a job that finished go back to the pool for the next job of this
 * process (`true`) or end (`false`, the default). The next job's module must build its jobs in
 * its default export: a thread imports the module once.
 *
 * @example
 * ```ts
 * keepFinishedSlotWorkers(true);
 * await warmUpJob.result;        // its threads wait in the pool
 * const measured = await load(); // and run this job's slots, their code compiled already
 * keepFinishedSlotWorkers(false);
 * await discardWarmSlotWorkers();
 * ```
 */
export function keepFinishedSlotWorkers(keep: boolean): void {
  keepFinished = keep;
}

/** Whether {@link keepFinishedSlotWorkers} is on. */
export function keepsFinishedSlotWorkers(): boolean {
  return keepFinished;
}

/**
 * Puts the thread of a finished job (released: it answered `release`) into the pool; `typescript`:
 * whether it registered tsx.
 */
export function returnSlotWorker(worker: Worker, typescript: boolean): void {
  pool.push(pooled(worker, FROM_SOURCE || typescript));
}

/**
 * A warm slot worker for a job whose module is TypeScript (`typescript`) or not, if one is
 * ready; the caller assigns it its slot.
 */
export function takeWarmSlotWorker(typescript: boolean): Worker | undefined {
  const at = pool.findIndex((w) => w.typescript || !typescript);
  if (at < 0) return undefined;
  const [taken] = pool.splice(at, 1);
  if (taken === undefined) return undefined;
  taken.detach();
  taken.worker.ref();
  return taken.worker;
}

/** How many warm slot workers wait. */
export function warmSlotWorkerCount(): number {
  return pool.length;
}

/** Ends the warm slot workers nobody took. */
export async function discardWarmSlotWorkers(): Promise<void> {
  const left = pool.splice(0);
  await Promise.all(
    left.map(async (w) => {
      w.detach();
      // (An error while it ends is of no interest: it was never used.)
      w.worker.on('error', () => {});
      await w.worker.terminate();
    }),
  );
}
