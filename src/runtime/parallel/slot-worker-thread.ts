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

/** The process's Node flags: its command line's and those of `NODE_OPTIONS`. */
function processNodeFlags(): string[] {
  return [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
}

/**
 * The old-generation heap of each slot, in MiB: the process's own heap limit (set with
 * `--max-old-space-size`, which the Worker constructor does not accept as a flag), so that
 * raising the process's limit raises every slot's, and an error can name the limit.
 */
export function slotHeapLimitMb(flags: readonly string[] = processNodeFlags()): number {
  let mb: number | undefined;
  for (const f of flags) {
    const m = /^--max-old-space-size=(\d+)$/.exec(f);
    if (m !== null) mb = Number(m[1]);
  }
  // Without the flag V8 sizes the heap from the machine's memory; the total limit is close.
  return Math.max(16, mb ?? Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024));
}

/**
 * The semi-space of a slot's young generation, in MiB, when the process does not set one and the
 * slot's heap is large: 64 MiB, four times V8's default of 16. The record path allocates a few
 * hundred bytes a record (the records, their batches' outputs) that die within a batch; a
 * scavenge costs about what survives it, so a bigger nursery means fewer scavenges for the same
 * work, like the large young generation of a JVM with a fixed multi-GiB heap. Measured on Nexmark
 * q1 at P = 1 (ADR 0027): 16 → 64 MiB lifts events per CPU second by 7–18 %. The pages are
 * committed only as the nursery grows, so a slot that allocates little stays small.
 */
export const SLOT_SEMI_SPACE_MB = 64;

/**
 * The smallest old generation, in MiB, whose slots get a larger nursery than V8's default; each
 * gets a semi-space of a sixteenth of it, up to {@link SLOT_SEMI_SPACE_MB}. A young generation
 * close to the old one's size leaves V8 no room to promote a full nursery near the limit: with a
 * 192 MiB old generation and 64 MiB semi-spaces a job that ran out of heap ended in V8's fatal
 * abort instead of the worker's `ERR_WORKER_OUT_OF_MEMORY` (test/reliability/user-failures).
 */
export const LARGE_NURSERY_MIN_OLD_MB = 512;

/**
 * The young-generation limit of each slot, in MiB, for the Worker's `resourceLimits`: V8's young
 * generation is two semi-spaces and a large-object space of the same size, so three semi-spaces
 * ({@link SLOT_SEMI_SPACE_MB}, less for old generations under 1 GiB). `undefined` — V8's own
 * sizing — when the process sets `--max-semi-space-size` itself (workers inherit the flag, so it
 * applies to every slot as to the main thread), or when the slot's old generation (`oldMb`) is
 * below {@link LARGE_NURSERY_MIN_OLD_MB}.
 */
export function slotYoungGenerationMb(
  flags: readonly string[] = processNodeFlags(),
  oldMb: number = slotHeapLimitMb(flags),
): number | undefined {
  for (const f of flags) if (/^--max-semi-space-size=\d+$/.test(f)) return undefined;
  if (oldMb < LARGE_NURSERY_MIN_OLD_MB) return undefined;
  return 3 * Math.min(SLOT_SEMI_SPACE_MB, Math.floor(oldMb / 16));
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
  const flags = processNodeFlags();
  const old = slotHeapLimitMb(flags);
  const young = slotYoungGenerationMb(flags, old);
  return {
    maxOldGenerationSizeMb: old,
    ...(young === undefined ? {} : { maxYoungGenerationSizeMb: young }),
  };
}
