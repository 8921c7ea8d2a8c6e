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
 * The semi-space of a slot's young generation, in MiB, when the process does not set one: 64 MiB,
 * four times V8's default of 16. The record path allocates a few hundred bytes a record (the
 * records, their batches' outputs) that die within a batch; a scavenge costs about what survives
 * it — the batches in flight — so a bigger nursery means fewer scavenges for the same work, like
 * the large young generation of a JVM with a fixed multi-GiB heap. Measured on Nexmark q1 at
 * P = 1 (ADR 0027): 16 → 64 MiB lifts events per CPU second by about a fifth. The pages are
 * committed only as the nursery grows, so a slot that allocates little stays small.
 */
export const SLOT_SEMI_SPACE_MB = 64;

/**
 * The young-generation limit of each slot, in MiB, for the Worker's `resourceLimits`: V8's young
 * generation is two semi-spaces and a large-object space of the same size, so three times
 * {@link SLOT_SEMI_SPACE_MB}. `undefined` when the process sets `--max-semi-space-size` itself:
 * the flag, which workers inherit, then applies to every slot as it does to the main thread.
 */
export function slotYoungGenerationMb(
  flags: readonly string[] = [
    ...process.execArgv,
    ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/),
  ],
): number | undefined {
  for (const f of flags) if (/^--max-semi-space-size=\d+$/.test(f)) return undefined;
  return 3 * SLOT_SEMI_SPACE_MB;
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
    resourceLimits: slotResourceLimits(),
  });
}

/** The heap limits a slot worker gets: the process's old generation, a throughput young one. */
function slotResourceLimits(): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb?: number;
} {
  const young = slotYoungGenerationMb();
  return {
    maxOldGenerationSizeMb: slotHeapLimitMb(),
    ...(young === undefined ? {} : { maxYoungGenerationSizeMb: young }),
  };
}
