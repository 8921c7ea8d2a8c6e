/**
 * How a slot worker thread is started: its entry file, the Node flags it gets and its heap limit.
 * Shared by the coordinator, which starts the workers of a job, and the warm pool, which starts
 * them before their job (see warm-slot-workers.ts).
 *
 * @module
 */
import { getHeapStatistics } from 'node:v8';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { SlotWorkerData, WarmSlotWorkerData } from './slot-protocol.ts';

/**
 * The old-generation heap of each slot, in MiB: the process's own heap limit (set with
 * `--max-old-space-size`, which the Worker constructor does not accept as a flag), so that
 * raising the process's limit raises every slot's, and an error can name the limit.
 */
export function slotHeapLimitMb(
  flags: readonly string[] = [
    ...process.execArgv,
    ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/),
  ],
): number {
  let mb: number | undefined;
  for (const f of flags) {
    const m = /^--max-old-space-size=(\d+)$/.exec(f);
    if (m !== null) mb = Number(m[1]);
  }
  // Without the flag V8 sizes the heap from the machine's memory; the total limit is close.
  return Math.max(16, mb ?? Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024));
}

/**
 * Starts a slot worker thread: with its slot's data, or warm (it loads Eddy's modules and waits
 * for its slot in an `assign` command).
 */
export function startSlotWorker(
  data: SlotWorkerData | WarmSlotWorkerData,
  transferList: readonly MessagePort[] = [],
): Worker {
  return new Worker(new URL('./slot-worker-entry.mjs', import.meta.url), {
    workerData: data,
    transferList: [...transferList],
    // No `execArgv`: the worker inherits the parent's Node flags as they were parsed (loaders,
    // conditions, `--cpu-prof`, V8 flags). An explicit list is re-validated, and the Worker
    // constructor refuses per-process and V8 flags in it — `--max-old-space-size`,
    // `--expose-gc`, and on Node 24 every option the test runner hands its children.
    resourceLimits: { maxOldGenerationSizeMb: slotHeapLimitMb() },
  });
}
