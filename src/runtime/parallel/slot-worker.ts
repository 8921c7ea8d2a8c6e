/**
 * The entry point of a slot worker thread. User code cannot be sent to a thread, so the worker
 * re-imports the job module under a launch context in `worker` mode: the module builds its job as
 * usual, and `env.execute()` hands the compiled graph here instead of running it. The worker
 * checks that its plan has the coordinator's fingerprint, then runs subtask `slot` of every
 * operator, with cross-thread channels to the other slots.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EnvironmentOptions } from '../../api/environment-options.ts';
import type { JobClient, JobExecutionResult } from '../../api/job-executor.ts';
import { setLaunchContext } from '../../api/launch-context.ts';
import { StreamEnvironment } from '../../api/stream-environment.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import { sampleMetrics } from '../../metrics/metric-sample.ts';
import type { JobGraph } from '../../plan/plan.ts';
import { JobRun } from '../job-run.ts';
import { planFingerprint } from './plan-fingerprint.ts';
import { RemoteExchange } from './remote-exchange.ts';
import type { SlotCommand, SlotReport, SlotWorkerData } from './slot-protocol.ts';
import { toWorkerError } from './worker-error.ts';

const data = workerData as SlotWorkerData;
const port = parentPort;
if (port === null) throw new Error('slot-worker.ts runs only as a worker thread');

function report(r: SlotReport): void {
  port?.postMessage(r);
}

let run: JobRun | undefined;
let exchange: RemoteExchange | undefined;
let submitted = 0;
let failed = false;

function fail(e: unknown): void {
  if (failed) return;
  failed = true;
  report({ type: 'failed', error: toWorkerError(e) });
}

let go: (() => void) | undefined;
const started = new Promise<void>((resolve) => (go = resolve));

port.on('message', (c: SlotCommand) => {
  if (c.type === 'start') go?.();
  else if (c.type === 'cancel') void run?.cancel();
  else if (c.type === 'close') {
    // Let the thread end by itself (so its stdout drains): close every port, stop timers.
    exchange?.close();
    port.close();
  }
});

/** Checkpoints are not coordinated across threads yet (the executor keeps such jobs in-process). */
const NO_CHECKPOINTS = {
  triggerSavepoint: (): Promise<string> => Promise.reject(new Error('not in a worker thread')),
  stopWithSavepoint: (): Promise<string> => Promise.reject(new Error('not in a worker thread')),
  checkpointStats: () => ({
    completed: 0,
    failed: 0,
    lastCompleted: undefined,
    history: [],
    restarts: 0,
    restoredFrom: undefined,
  }),
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
  const { metricsPort: _port, ...rest } = options;
  exchange = new RemoteExchange(data.slot, data.ports);
  const r = new JobRun(graph, { ...rest, handleSignals: false }, undefined, 0, exchange);
  run = r;
  // Every slot opens its operators, then all start together (the coordinator's start barrier).
  r.beforeStart = () => {
    report({ type: 'ready' });
    return started;
  };
  const ticker = setInterval(
    () => report({ type: 'metrics', samples: sampleMetrics(r.registry) }),
    1000,
  );
  r.start();
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

setLaunchContext({
  mode: 'worker',
  defaults: data.defaults,
  jobUrl: data.jobUrl,
  onPlan: () => {},
  onJob: () => {},
  submit,
});

try {
  const mod = (await Promise.race([
    import(data.jobUrl) as Promise<Record<string, unknown>>,
    // A module that awaits its own execute() never finishes importing here.
    new Promise<undefined>((resolve) => {
      const check = setInterval(() => {
        if (run !== undefined || failed) {
          clearInterval(check);
          resolve(undefined);
        }
      }, 5);
    }),
  ])) as Record<string, unknown> | undefined;
  if (run === undefined && !failed && mod !== undefined && typeof mod['default'] === 'function') {
    const env = StreamEnvironment.create();
    await (mod['default'] as (env: StreamEnvironment) => unknown)(env);
    if (submitted === 0) env.executeAsync();
  }
  if (run === undefined && !failed) {
    fail(
      new EddyError(`the job file built only ${submitted} job(s) in worker thread ${data.slot}`, {
        code: 'INVALID_JOB',
        domain: 'user',
        hint: 'build the same jobs every time the file is imported',
      }),
    );
  }
} catch (e) {
  fail(e);
}
