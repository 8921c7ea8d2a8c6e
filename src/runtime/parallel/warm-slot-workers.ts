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

/**
 * Starts `count` warm slot workers. They do not keep the process alive; one whose start fails
 * leaves the pool (the job's slot then starts cold and reports the error itself).
 */
export function warmSlotWorkers(o: WarmSlotOptions): void {
  for (let i = 0; i < o.count; i++) {
    const worker = startSlotWorker({
      warm: { preload: [...o.preload], typescript: o.typescript },
    });
    worker.unref();
    const leave = (): void => {
      const at = pool.findIndex((w) => w.worker === worker);
      if (at >= 0) pool.splice(at, 1);
    };
    // A warm-up error is not the job's: it only makes this worker unusable.
    const onError = (): void => leave();
    worker.on('error', onError);
    worker.on('exit', leave);
    pool.push({
      worker,
      typescript: FROM_SOURCE || o.typescript,
      detach: () => {
        worker.off('error', onError);
        worker.off('exit', leave);
      },
    });
  }
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
