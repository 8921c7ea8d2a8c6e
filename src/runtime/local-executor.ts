/**
 * The local executor behind `env.execute()`: runs a job in this process, with its subtasks in
 * this thread, or (a job file run by the CLI with parallelism > 1) on one worker thread per slot.
 *
 * @module
 */
import type { EnvironmentOptions } from '../core/environment-options.ts';
import type { JobExecutor } from '../plan/job-executor.ts';
import type { JobClient } from '../core/job-client.ts';
import { getLaunchContext, type LaunchContext } from '../plan/launch-context.ts';
import { userError } from '../errors/eddy-error.ts';
import type { JobGraph } from '../plan/plan.ts';
import { JobSupervisor } from './recovery/job-supervisor.ts';
import { ThreadedJob, type ThreadedLaunch } from './parallel/threaded-job.ts';

const running = new Set<{ cancel(): Promise<unknown> }>();
/** Threaded jobs started per launch, to tell workers which `execute()` call is theirs. */
const jobIndexes = new WeakMap<LaunchContext, number>();
let signalsInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  if (running.size === 0) {
    process.kill(process.pid, signal);
    return;
  }
  process.stderr.write(
    `\neddy: ${signal} received, stopping ${running.size} job(s) gracefully (again to force)\n`,
  );
  removeSignalHandlers();
  // The outcome (a failure too) reaches whoever awaits the job's result, not this handler.
  for (const run of running) run.cancel().catch(() => {});
}

/**
 * The signals that stop a job gracefully: Ctrl-C, a service manager's stop, and a closed
 * terminal (with `savepointOnStop`, each takes the savepoint first).
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
}

function removeSignalHandlers(): void {
  if (!signalsInstalled) return;
  signalsInstalled = false;
  for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
}

/**
 * Stops every job running in this process gracefully — what a stop signal does (a savepoint
 * first with `savepointOnStop`) — without a message: for the CLI, when the reader of its
 * output has gone (`eddy run job.ts | head -3`) and there is nobody left to print for.
 */
export function stopLocalJobs(): void {
  removeSignalHandlers();
  for (const run of running) run.cancel().catch(() => {});
}

/** Runs jobs in this process. */
export class LocalExecutor implements JobExecutor {
  execute(graph: JobGraph, options: EnvironmentOptions): JobClient {
    const threaded = this.threaded(graph, options);
    // Threaded or not, a supervisor runs the attempts: restores, restarts, savepoints.
    const run =
      threaded === undefined
        ? new JobSupervisor(graph, options)
        : new JobSupervisor(
            graph,
            options,
            (context, attempt) => new ThreadedJob(graph, options, threaded, context, attempt),
          );
    running.add(run);
    if (options.handleSignals !== false) installSignalHandlers();
    const result = run.result.finally(() => {
      running.delete(run);
      if (running.size === 0) removeSignalHandlers();
    });
    result.catch(() => {});
    return {
      jobName: run.jobName,
      running: run.running,
      result,
      cancel: () => run.cancel(),
      metricsText: () => run.metricsText(),
      metrics: () => run.run?.metrics() ?? [],
      triggerSavepoint: (dir) => run.triggerSavepoint(dir),
      stopWithSavepoint: (dir) => run.stopWithSavepoint(dir),
      checkpointStats: () => run.checkpointStats(),
      exceptionHistory: () => run.exceptionHistory(),
      profileSubtask: (subtask, o) => run.profileSubtask(subtask, o),
    };
  }

  /** Where a threaded job comes from, when the job runs from a job file with parallelism > 1. */
  private threaded(graph: JobGraph, options: EnvironmentOptions): ThreadedLaunch | undefined {
    const launch = getLaunchContext();
    if (options.runtimeMode === 'in-process') return undefined;
    if (
      launch?.mode !== 'run' ||
      launch.jobUrl === undefined ||
      launch.jobModuleRunner === undefined
    ) {
      if (options.runtimeMode !== 'threads') return undefined;
      throw userError(
        'INVALID_ARGUMENT',
        "runtimeMode 'threads' needs a job file run by the CLI (eddy run job.ts -p N)",
        {
          hint:
            'worker threads re-import the job file to get its functions; jobs built elsewhere ' +
            "(tests, REPL) run with runtimeMode 'in-process'",
        },
      );
    }
    // A collect sink hands records to the caller's memory, which worker threads do not share.
    for (const b of graph.bindings.values()) {
      if (b.kind === 'sink' && b.settings.sink.inCallerThread === true) return undefined;
    }
    const jobIndex = jobIndexes.get(launch) ?? 0;
    jobIndexes.set(launch, jobIndex + 1);
    return {
      jobUrl: launch.jobUrl,
      jobModuleRunner: launch.jobModuleRunner,
      jobIndex,
      defaults: launch.defaults,
    };
  }
}
