/**
 * The entry point of a slot worker thread. User code cannot be sent to a thread, so the worker
 * re-imports the job module under a launch context in `worker` mode: the module builds its job as
 * usual, and `env.execute()` hands the compiled graph here instead of running it. The worker
 * checks that its plan has the coordinator's fingerprint, then runs subtask `slot` of every
 * operator, with cross-thread channels to the other slots.
 *
 * A job that finished may be followed by another on the same thread (`release`, then `assign`
 * again: see `keepFinishedSlotWorkers`), so that a warm-up job warms the threads of the job it
 * warms up. The job module is imported once per thread; its default export builds each job.
 *
 * @module
 */
import { NO_CHECKPOINT_STATS } from '../../core/job-status.ts';
import { parentPort, workerData } from 'node:worker_threads';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobClient, JobExecutionResult } from '../../core/job-client.ts';
import { setLaunchContext, type JobModuleRunner } from '../../plan/launch-context.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import { busyClock } from '../task-times.ts';
import { sampleMetrics } from '../../metrics/sample-metrics.ts';
import type { JobGraph } from '../../plan/plan.ts';
import { JobRun } from '../job-run.ts';
import {
  hasDeferredChains,
  loadCheckpoint,
  type LoadedCheckpoint,
} from '../checkpoint/checkpoint-loader.ts';
import type { OperatorStateDistribution } from '../checkpoint/checkpoint-metadata.ts';
import {
  localCheckpointContext,
  type RemoteCheckpointing,
} from '../checkpoint/job-checkpointing.ts';
import { openCheckpointLocation } from '../checkpoint/open-checkpoint-store.ts';
import { planFingerprint } from './plan-fingerprint.ts';
import { RemoteExchange } from './remote-exchange.ts';
import type {
  SlotCommand,
  SlotReport,
  SlotTask,
  SlotWorkerData,
  WarmSlotWorkerData,
} from './slot-protocol.ts';
import { toWorkerError } from './worker-error.ts';
import { sampleCpuProfile } from '../profiling/sample-cpu-profile.ts';

const port = parentPort;
if (port === null) throw new Error('slot-worker.ts runs only as a worker thread');
let assigned: ((d: SlotWorkerData) => void) | undefined;
/** The next job's slot; armed again when a job is released. */
function nextAssignment(): Promise<SlotWorkerData> {
  return new Promise<SlotWorkerData>((resolve) => (assigned = resolve));
}
let assignment = nextAssignment();
let released: (() => void) | undefined;

function report(r: SlotReport): void {
  port?.postMessage(r);
}

let run: JobRun | undefined;
let exchange: RemoteExchange | undefined;
let submitted = 0;
let failed = false;
let cancelRequested = false;

function fail(e: unknown): void {
  if (failed) return;
  failed = true;
  report({ type: 'failed', error: toWorkerError(e) });
}

let go: (() => void) | undefined;
let started = new Promise<void>((resolve) => (go = resolve));
let finalDone: (() => void) | undefined;
let finalCheckpointDone = new Promise<void>((resolve) => (finalDone = resolve));

/** Forgets the finished job: the thread is as a warm one, waiting for its next slot. */
function forgetJob(): void {
  exchange?.close();
  run = undefined;
  exchange = undefined;
  submitted = 0;
  failed = false;
  cancelRequested = false;
  started = new Promise<void>((resolve) => (go = resolve));
  finalCheckpointDone = new Promise<void>((resolve) => (finalDone = resolve));
  assignment = nextAssignment();
}

port.on('message', (c: SlotCommand) => {
  switch (c.type) {
    case 'assign':
      assigned?.(c.data);
      break;
    case 'start':
      go?.();
      break;
    case 'cancel':
      // Before the job is built (the module still importing, the checkpoint still loading) the
      // request is kept for it.
      cancelRequested = true;
      void run?.cancel();
      break;
    case 'close':
      // Let the thread end by itself (so its stdout drains): close every port, stop timers.
      exchange?.close();
      port.close();
      break;
    case 'release':
      forgetJob();
      released?.();
      report({ type: 'released' });
      break;
    case 'inject-barrier':
      run?.checkpointing?.injectBarrier(c.barrier, c.stopAfter);
      break;
    case 'settle-stop':
      run?.checkpointing?.settleStop(c.stop);
      break;
    case 'checkpoint-complete':
      run?.checkpointing?.notifyComplete(c.checkpointId);
      break;
    case 'final-checkpoint-done':
      finalDone?.();
      break;
    case 'profile':
      sampleCpuProfile(c).then(
        (profile) => report({ type: 'profile', id: c.id, profile }),
        (e: unknown) => report({ type: 'profile', id: c.id, error: toWorkerError(e) }),
      );
      break;
  }
});

/**
 * The main thread's checkpoint coordinator, from here: acknowledgements travel there with their
 * serialized state.
 */
const remote: RemoteCheckpointing = {
  acknowledge(checkpointId, ack) {
    Promise.resolve(ack.encoded).then(
      ({ data, states, shared, syncMs }) => {
        const msg: SlotReport = {
          type: 'ack',
          checkpointId,
          nodeId: ack.nodeId,
          index: ack.index,
          data,
          states,
          shared,
          syncMs,
          keyGroups: ack.keyGroups,
          alignmentMs: ack.alignmentMs,
        };
        // Copied, not transferred: the bytes may sit in Node's shared Buffer pool.
        report(msg);
      },
      (e: unknown) =>
        report({
          type: 'decline',
          checkpointId,
          reason: `operator ${ack.nodeId} subtask ${ack.index} could not snapshot its state: ${e instanceof Error ? e.message : String(e)}`,
          counts: true,
        }),
    );
  },
  decline(checkpointId, reason, counts = true) {
    report({ type: 'decline', checkpointId, reason, counts });
  },
  finalCheckpoint() {
    report({ type: 'input-finished' });
    return finalCheckpointDone;
  },
};

/** The main thread takes savepoints and keeps the statistics of a threaded job. */
const NO_CHECKPOINTS = {
  triggerSavepoint: (): Promise<string> => Promise.reject(new Error('not in a worker thread')),
  stopWithSavepoint: (): Promise<string> => Promise.reject(new Error('not in a worker thread')),
  checkpointStats: () => NO_CHECKPOINT_STATS,
  exceptionHistory: () => [],
};

/** A job of the module that another worker set runs: it ends at once, here. */
function skipped(graph: JobGraph): JobClient {
  const result: JobExecutionResult = {
    jobName: graph.plan.jobName,
    status: 'FINISHED',
    durationMs: 0,
    operators: [],
  };
  return {
    jobName: graph.plan.jobName,
    result: Promise.resolve(result),
    cancel: async () => result,
    metricsText: async () => '',
    ...NO_CHECKPOINTS,
  };
}

function submit(graph: JobGraph, options: EnvironmentOptions): JobClient {
  const index = submitted++;
  if (index !== data.jobIndex) return skipped(graph);
  const fingerprint = planFingerprint(graph.plan);
  if (fingerprint !== data.fingerprint) {
    fail(
      new EddyError(
        `the job file built a different plan in worker thread ${data.slot} ` +
          `(fingerprint ${fingerprint}, expected ${data.fingerprint})`,
        {
          code: 'INVALID_JOB',
          domain: 'user',
          hint:
            'worker threads re-import the job file: build the same job every time (no random, ' +
            "time- or thread-dependent structure), or run it with { runtimeMode: 'in-process' }",
        },
      ),
    );
    return { ...skipped(graph), result: new Promise<JobExecutionResult>(() => {}) };
  }
  // The main thread serves metrics and takes the savepoint on stop; the slots take part in it.
  const { metricsPort: _port, savepointOnStop: _savepoint, ...rest } = options;
  exchange = new RemoteExchange(data.slot, data.ports);
  const r = new JobRun(
    graph,
    { ...rest, handleSignals: false },
    {
      ...localCheckpointContext(),
      restore,
      log: (m) => process.stderr.write(`eddy: [slot ${data.slot}] ${m}\n`),
      remote,
    },
    data.attempt,
    exchange,
  );
  run = r;
  // Every slot opens its operators, then all start together (the coordinator's start barrier).
  r.beforeStart = () => {
    const distributions: Record<number, OperatorStateDistribution> = {};
    const tasks: SlotTask[] = [];
    for (const [id, list] of r.subtasks) {
      const op = list[0]?.operator;
      if (op !== undefined) distributions[id] = op.operatorStateDistribution;
      for (const { times } of list) {
        times.id = tasks.length;
        tasks.push({
          id: times.id,
          description: times.describe(),
          // As job-wiring.ts labels the subtask's metrics.
          labels: {
            job: graph.plan.jobName,
            operator: times.chain[0] ?? '',
            operator_id: String(times.operatorId),
            subtask: String(times.subtask),
          },
        });
      }
    }
    report({ type: 'ready', distributions, tasks });
    return started;
  };
  const ticker = setInterval(
    () => report({ type: 'metrics', samples: sampleMetrics(r.registry) }),
    1000,
  );
  r.start();
  if (cancelRequested) void r.cancel();
  r.result.then(
    (result) => {
      clearInterval(ticker);
      r.tickTimes();
      report({ type: 'done', result, samples: sampleMetrics(r.registry) });
    },
    (e: unknown) => {
      clearInterval(ticker);
      fail(e);
    },
  );
  // The module's code after `await env.execute()` must not run once per thread: never resolve.
  return {
    jobName: graph.plan.jobName,
    result: new Promise<JobExecutionResult>(() => {}),
    cancel: () => r.cancel(),
    metricsText: () => r.exporter.render(),
    ...NO_CHECKPOINTS,
  };
}

// A warm worker (warm-slot-workers.ts) has loaded its modules before its job existed; its slot
// comes now. The commands above are handled meanwhile (a cancel is kept for the job).
let data: SlotWorkerData =
  (workerData as Partial<WarmSlotWorkerData> | undefined)?.warm !== undefined
    ? await assignment
    : (workerData as SlotWorkerData);
let restore: LoadedCheckpoint | undefined;

async function loadRestore(path: string): Promise<LoadedCheckpoint> {
  const { store, location } = await openCheckpointLocation(path, {
    objectStorage: data.objectStorage,
    log: (m) => process.stderr.write(`eddy: [slot ${data.slot}] ${m}\n`),
  });
  let cp: LoadedCheckpoint;
  try {
    cp = await loadCheckpoint(store, location);
  } catch (e) {
    await store.close();
    throw e;
  }
  // Incremental chains are read from the store while the job restores: it stays open then.
  if (!hasDeferredChains(cp)) await store.close();
  return cp;
}

/** Builds this thread's share of the job of `data` (it runs on after this returns). */
async function buildJob(): Promise<void> {
  busyClock.publish(data.heartbeat);
  // Each slot reads the checkpoint it restores from itself (they share the file system).
  restore = data.restorePath === undefined ? undefined : await loadRestore(data.restorePath);
  setLaunchContext({
    mode: 'worker',
    defaults: data.defaults,
    jobUrl: data.jobUrl,
    onPlan: () => {},
    onJob: () => {},
    submit,
  });
  const { runJobModule } = (await import(data.jobModuleRunner)) as {
    runJobModule: JobModuleRunner;
  };
  const built = () => run !== undefined || failed || submitted > 0;
  // A module that awaits its own execute() never finishes importing here: stop waiting once built.
  let check: ReturnType<typeof setInterval> | undefined;
  const builtOnce = new Promise<void>((resolve) => {
    check = setInterval(() => {
      if (built()) resolve();
    }, 5);
  });
  try {
    await runJobModule(data.jobUrl, built, builtOnce);
  } finally {
    clearInterval(check);
  }
  if (run === undefined && !failed) {
    fail(
      new EddyError(`the job file built only ${submitted} job(s) in worker thread ${data.slot}`, {
        code: 'INVALID_JOB',
        domain: 'user',
        hint:
          'build the same jobs every time the file is imported (a thread that runs a second ' +
          'job imports the file once: build jobs in its default export, not at its top level)',
      }),
    );
  }
}

for (;;) {
  const releasedNow = new Promise<void>((resolve) => (released = resolve));
  try {
    await buildJob();
  } catch (e) {
    fail(e);
  }
  // The coordinator either closes the thread (it ends) or releases it for another job.
  await releasedNow;
  data = await assignment;
}
