/**
 * The seam between the API and the runtime: the API builds a {@link JobGraph} and hands it to a
 * {@link JobExecutor}. The runtime is registered from above (`src/index.ts`,
 * `src/testing/index.ts`) as a loader, so the API never imports it and importing `eddy` loads
 * none of it: the runtime is imported by the first `execute()`.
 *
 * @module
 */
import type { EnvironmentOptions } from '../core/environment-options.ts';
import type { JobClient } from '../core/job-client.ts';
import { deferredJobClient } from './deferred-job-client.ts';
import { getLaunchContext, setLaunchContext } from './launch-context.ts';
import type { JobGraph } from './plan.ts';

/** Runs job graphs. */
export interface JobExecutor {
  execute(graph: JobGraph, options: EnvironmentOptions): JobClient;
}

/** Imports the runtime and returns its executor (called once, on first use). */
export type JobExecutorLoader = () => Promise<JobExecutor>;

let defaultExecutor: JobExecutor | undefined;
let loader: JobExecutorLoader | undefined;

/** Installs the executor that `env.execute()` uses. */
export function registerDefaultExecutor(executor: JobExecutor): void {
  defaultExecutor = executor;
}

/**
 * Installs a loader for the default executor: the first `execute()` calls it, and runs its job
 * once the executor is loaded (its client answers meanwhile). A registered executor wins.
 */
export function registerDefaultExecutorLoader(load: JobExecutorLoader): void {
  if (loader !== undefined) return;
  let loading: Promise<JobExecutor> | undefined;
  loader = load;
  const lazy: JobExecutor = {
    execute(graph, options) {
      loading ??= load().then((executor) => {
        if (defaultExecutor === lazy) defaultExecutor = executor;
        return executor;
      });
      // The job runs under the launch context of this call, not of the moment the runtime has
      // loaded: a launcher that stops waiting once the job is built (an application host) has
      // removed its context by then, and the job would run in one thread whatever its
      // parallelism (the executor reads the context to start worker threads).
      const launch = getLaunchContext();
      return deferredJobClient(
        graph.plan.jobName,
        loading.then((executor) => {
          const outer = getLaunchContext();
          setLaunchContext(launch);
          try {
            return executor.execute(graph, options);
          } finally {
            setLaunchContext(outer);
          }
        }),
      );
    },
  };
  defaultExecutor ??= lazy;
}

/** The default executor, if one (or a loader) is registered. */
export function getDefaultExecutor(): JobExecutor | undefined {
  return defaultExecutor;
}
