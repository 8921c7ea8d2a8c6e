/**
 * How the CLI reaches environments created inside a job file (Flink's "context environment"):
 * `eddy run` sets defaults (parallelism, properties, metrics port) and `eddy plan` asks for the
 * plan instead of a run. Stored on `globalThis` under a registered symbol so that two copies of
 * the module (CLI and job) still share it.
 *
 * @module
 */
import type { JobGraph, Plan } from './plan.ts';
import type { EnvironmentOptions } from '../core/environment-options.ts';
import type { JobClient } from '../core/job-client.ts';

/** What the launcher wants from `env.execute()`. */
export interface LaunchContext {
  /**
   * `run` executes jobs; `plan` only captures their plans; `worker` (inside a worker thread of the
   * parallel runtime) hands each compiled job graph to {@link LaunchContext.submit}.
   */
  readonly mode: 'run' | 'plan' | 'worker';
  /**
   * URL of the job module being launched. Worker threads re-import it to rebuild the job's user
   * code, which cannot be sent to a thread; without it jobs run in one thread.
   */
  readonly jobUrl?: string;
  /**
   * URL of a module exporting {@link JobModuleRunner} as `runJobModule` (the API's
   * `api/job-module.ts`). Worker threads import it to rebuild the job from {@link jobUrl}; the
   * runtime gets it here so that it never imports the API.
   */
  readonly jobModuleRunner?: string;
  /** Defaults for every environment; options passed in code win. */
  readonly defaults: EnvironmentOptions;
  /** Called with each plan built (in `plan` mode instead of running it). */
  onPlan(plan: Plan): void;
  /** Called with each job started (in `run` mode), with its plan. */
  onJob(client: JobClient, plan: Plan): void;
  /** In `worker` mode: runs this thread's share of a job instead of the default executor. */
  submit?(graph: JobGraph, options: EnvironmentOptions): JobClient;
}

/**
 * Imports a job module and builds its jobs; see `runJobModule` in `api/job-module.ts`. `built()`
 * says whether a job was built already; `stopWaiting` ends the wait for the import.
 */
export type JobModuleRunner = (
  url: string,
  built: () => boolean,
  stopWaiting?: Promise<unknown>,
) => Promise<void>;

const KEY = Symbol.for('eddy.launch-context');

/** Installs the launcher's context (CLI only). */
export function setLaunchContext(ctx: LaunchContext | undefined): void {
  (globalThis as Record<symbol, unknown>)[KEY] = ctx;
}

/** The launcher's context, when running under the CLI. */
export function getLaunchContext(): LaunchContext | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as LaunchContext | undefined;
}
