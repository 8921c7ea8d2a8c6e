/**
 * The executor behind `env.execute()`. A job file run by the CLI with parallelism > 1 runs on
 * worker threads (one per slot, see `parallel/threaded-job.ts`) unless `runtimeMode` is
 * `in-process`; everything else (tests, parallelism 1) runs every subtask in this thread with
 * no serialization.
 *
 * @module
 */
import type { EnvironmentOptions } from '../api/environment-options.ts';
import type { JobClient, JobExecutor } from '../api/job-executor.ts';
import { getLaunchContext, type LaunchContext } from '../api/launch-context.ts';
import { userError } from '../errors/eddy-error.ts';
import type { JobGraph } from '../plan/plan.ts';
import { sampleMetrics } from '../metrics/metric-sample.ts';
import { JobRun } from './job-run.ts';
import { slotsOf, ThreadedJob } from './parallel/threaded-job.ts';

const running = new Set<{ cancel(): unknown }>();
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
  for (const run of running) void run.cancel();
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

function removeSignalHandlers(): void {
  if (!signalsInstalled) return;
  signalsInstalled = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

/** Runs jobs in this process: in this thread, or on worker threads. */
export class LocalExecutor implements JobExecutor {
  execute(graph: JobGraph, options: EnvironmentOptions): JobClient {
    const launch = getLaunchContext();
    const slots = slotsOf(graph);
    if (slots > 1 && options.runtimeMode !== 'in-process') {
      if (launch?.mode === 'run' && launch.jobUrl !== undefined) {
        const jobIndex = jobIndexes.get(launch) ?? 0;
        jobIndexes.set(launch, jobIndex + 1);
        return this.executeThreaded(
          new ThreadedJob(graph, options, {
            jobUrl: launch.jobUrl,
            jobIndex,
            defaults: launch.defaults,
          }),
          options,
        );
      }
      if (options.runtimeMode === 'threads') {
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
    }
    const run = new JobRun(graph, options);
    running.add(run);
    if (options.handleSignals !== false) installSignalHandlers();
    const result = run.result.finally(() => {
      running.delete(run);
      if (running.size === 0) removeSignalHandlers();
    });
    result.catch(() => {});
    run.start();
    return {
      jobName: run.jobName,
      running: run.running,
      result,
      cancel: () => run.cancel(),
      metricsText: () => run.exporter.render(),
      metrics: () => sampleMetrics(run.registry),
    };
  }

  private executeThreaded(job: ThreadedJob, options: EnvironmentOptions): JobClient {
    running.add(job);
    if (options.handleSignals !== false) installSignalHandlers();
    const result = job.result.finally(() => {
      running.delete(job);
      if (running.size === 0) removeSignalHandlers();
    });
    result.catch(() => {});
    job.start();
    return {
      jobName: job.jobName,
      running: job.running,
      result,
      cancel: () => job.cancel(),
      metricsText: () => job.exporter.render(),
      metrics: () => job.metrics(),
    };
  }
}
