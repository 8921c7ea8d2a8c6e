/**
 * One application's job inside a host process: imports the job module under a launch context
 * with the server's defaults and keeps the job's client.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobClient } from '../../core/job-client.ts';
import { setLaunchContext } from '../../plan/launch-context.ts';
import type { Plan } from '../../plan/plan.ts';
import { JOB_MODULE_RUNNER_URL, runJobModule } from '../../api/job-module.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { HostJobStatus } from './host-protocol.ts';

// Every load gets its own module URL: a session host that restarts an application, or runs two
// applications of one artifact, must evaluate the module again (ESM caches by URL).
let loads = 0;
// Loads run one at a time: the launch context is process-wide while a module builds its job.
let loading: Promise<unknown> = Promise.resolve();

/** A job run by a host. */
export class HostedJob {
  private client: JobClient | undefined;
  private plan: Plan | undefined;
  private state: HostJobStatus['status'] = 'STARTING';

  private constructor(readonly app: string) {}

  /** Imports the module at `entryPath` and starts its job; `onEnd` hears how it ended. */
  static async start(
    app: string,
    entryPath: string,
    options: EnvironmentOptions,
    onRunning: () => void,
    onEnd: (status: 'FINISHED' | 'CANCELED' | 'FAILED', error?: string) => void,
  ): Promise<HostedJob> {
    const job = new HostedJob(app);
    const url = `${pathToFileURL(entryPath).href}?eddy-load=${++loads}`;
    let registered: () => void = () => {};
    const jobRegistered = new Promise<void>((resolve) => (registered = resolve));
    const load = loading.then(async () => {
      setLaunchContext({
        mode: 'run',
        defaults: { ...options, handleSignals: false },
        jobUrl: url,
        jobModuleRunner: JOB_MODULE_RUNNER_URL,
        onPlan: () => {},
        onJob: (client, plan) => {
          if (job.client === undefined) {
            job.client = client;
            job.plan = plan;
            registered();
          }
        },
      });
      try {
        await runJobModule(url, () => job.client !== undefined, jobRegistered);
      } finally {
        setLaunchContext(undefined);
      }
    });
    loading = load.catch(() => {});
    await load;
    const client = job.client as JobClient | undefined;
    if (client === undefined) {
      throw new EddyError(`the application's entry module built no job`, {
        code: 'JOB_BUILD_FAILED',
        domain: 'user',
        hint: 'the job file must call env.execute() or export default (env) => { … }',
      });
    }
    void (client.running ?? Promise.resolve()).then(() => {
      if (job.state === 'STARTING') job.state = 'RUNNING';
      onRunning();
    });
    client.result.then(
      (r) => {
        job.state = r.status;
        onEnd(r.status);
      },
      (e: unknown) => {
        job.state = 'FAILED';
        onEnd('FAILED', e instanceof Error ? e.message : String(e));
      },
    );
    return job;
  }

  /** The job's client. */
  get jobClient(): JobClient {
    return this.client!;
  }

  /** Whether the job still runs. */
  get active(): boolean {
    return this.state === 'STARTING' || this.state === 'RUNNING';
  }

  /** What the server shows of the job. */
  status(): HostJobStatus {
    const c = this.client;
    return {
      status: this.state,
      plan: this.plan,
      metrics: c?.metrics?.() ?? [],
      checkpoints: c?.checkpointStats(),
      exceptions: c?.exceptionHistory() ?? [],
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
  }
}
