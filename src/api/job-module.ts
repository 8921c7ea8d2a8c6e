/**
 * How a job file becomes jobs: importing it runs its top-level code, which builds jobs and calls
 * `env.execute()`; a file may instead default-export a builder `(env) => …`, which is called with
 * a new environment and executed unless it executed itself. The CLI loads job files with it and
 * worker threads of the parallel runtime rebuild the job with it (they find it through
 * `LaunchContext.jobModuleRunner`, so the runtime never imports the API).
 *
 * @module
 */
import { jobFileError } from './job-file-error.ts';
import { StreamEnvironment } from './stream-environment.ts';

/**
 * Imports the job module at `url` and builds its jobs. `built()` says whether the module built a
 * job already; `stopWaiting`, when it settles first, ends the wait for the import (a module that
 * awaits its own `execute()` only finishes importing when its job ends). Errors thrown while
 * building become `JOB_BUILD_FAILED` {@link EddyError}s ({@link jobFileError}).
 */
export async function runJobModule(
  url: string,
  built: () => boolean,
  stopWaiting?: Promise<unknown>,
): Promise<void> {
  let mod: Record<string, unknown> | undefined;
  try {
    const importing = import(url) as Promise<Record<string, unknown>>;
    // A module that awaits its own execute() rejects when its job fails, after the wait below
    // ended: that failure is reported through the job's result, not as an unhandled rejection.
    importing.catch(() => undefined);
    mod =
      stopWaiting === undefined
        ? await importing
        : await Promise.race([importing, stopWaiting.then(() => undefined)]);
  } catch (e) {
    throw jobFileError(e, url);
  }
  const builder = mod?.['default'];
  if (built() || typeof builder !== 'function') return;
  const env = StreamEnvironment.create();
  try {
    await (builder as (env: StreamEnvironment) => unknown)(env);
  } catch (e) {
    throw jobFileError(e, url);
  }
  if (!built()) env.executeAsync();
}

/** The URL of this module, for {@link LaunchContext.jobModuleRunner}. */
export const JOB_MODULE_RUNNER_URL: string = import.meta.url;
