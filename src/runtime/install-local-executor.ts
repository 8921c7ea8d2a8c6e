/**
 * Registers the local executor as the default, lazily: nothing of the runtime is imported until
 * a job is executed. Called by the package entry points (`eddy`, `eddy/testing`).
 *
 * @module
 */
import { registerDefaultExecutorLoader } from '../plan/job-executor.ts';

/** Makes `env.execute()` run jobs on the local executor, imported on first use. */
export function installLocalExecutor(): void {
  registerDefaultExecutorLoader(async () => {
    const { LocalExecutor } = await import('./local-executor.ts');
    return new LocalExecutor();
  });
}
