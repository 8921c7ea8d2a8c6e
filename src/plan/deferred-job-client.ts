/**
 * A {@link JobClient} for a job whose real client is still coming (the runtime is being loaded):
 * asynchronous calls wait for it; synchronous reads answer as a job that has not started yet.
 *
 * @module
 */
import type { JobClient } from '../core/job-client.ts';
import { NO_CHECKPOINT_STATS } from '../core/job-status.ts';
import { EddyError } from '../errors/eddy-error.ts';

/** Forwards to `client` once it resolves; a failure to create it fails the job's `result`. */
export function deferredJobClient(jobName: string, client: Promise<JobClient>): JobClient {
  let ready: JobClient | undefined;
  void client.then(
    (c) => (ready = c),
    () => {},
  );
  const result = client.then((c) => c.result);
  result.catch(() => {});
  return {
    jobName,
    running: client.then((c) => c.running),
    result,
    cancel: () => client.then((c) => c.cancel()),
    metricsText: () => client.then((c) => c.metricsText()),
    metrics: () => ready?.metrics?.() ?? [],
    triggerSavepoint: (dir) => client.then((c) => c.triggerSavepoint(dir)),
    stopWithSavepoint: (dir) => client.then((c) => c.stopWithSavepoint(dir)),
    checkpointStats: () => ready?.checkpointStats() ?? NO_CHECKPOINT_STATS,
    exceptionHistory: () => ready?.exceptionHistory() ?? [],
    profileSubtask: (subtask, o) =>
      client.then((c) => {
        if (c.profileSubtask === undefined) {
          throw new EddyError('this job runs where its threads cannot be profiled', {
            code: 'CONFLICT',
            domain: 'user',
          });
        }
        return c.profileSubtask(subtask, o);
      }),
  };
}
