/**
 * The in-process executor behind `env.execute()`: runs a job in this process (parallel subtasks
 * of an operator run in the same thread here; worker threads arrive with the parallel runtime).
 *
 * @module
 */
import type { EnvironmentOptions } from '../api/environment-options.ts';
import type { JobClient, JobExecutor } from '../api/job-executor.ts';
import type { JobGraph } from '../plan/plan.ts';
import { sampleMetrics } from '../metrics/metric-sample.ts';
import { JobSupervisor } from './recovery/job-supervisor.ts';

const running = new Set<JobSupervisor>();
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

/** Runs jobs in this process. */
export class LocalExecutor implements JobExecutor {
  execute(graph: JobGraph, options: EnvironmentOptions): JobClient {
    const run = new JobSupervisor(graph, options);
    running.add(run);
    if (options.handleSignals !== false) installSignalHandlers();
    const result = run.result.finally(() => {
      running.delete(run);
      if (running.size === 0) removeSignalHandlers();
    });
    result.catch(() => {});
    return {
      jobName: run.jobName,
      result,
      cancel: () => run.cancel(),
      metricsText: () => run.metricsText(),
      metrics: () => (run.run !== undefined ? sampleMetrics(run.run.registry) : []),
      triggerSavepoint: (dir) => run.triggerSavepoint(dir),
      stopWithSavepoint: (dir) => run.stopWithSavepoint(dir),
      checkpointStats: () => run.checkpointStats(),
      exceptionHistory: () => run.exceptionHistory(),
    };
  }
}
