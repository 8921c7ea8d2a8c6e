/**
 * The entry of an application host process (`eddy host`, started by the server only): runs the
 * jobs the server asks for and answers its requests over the IPC channel. When the channel
 * closes — the server died — the host exits at once: a restarted server restarts the application
 * from its latest checkpoint, and two processes must never write one checkpoint directory.
 *
 * @module
 */
import { JOB_MODULE_RUNNER_URL } from '../../api/job-module.ts';
import { runtimeModuleUrl } from '../../artifact/runtime-entry-points.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import {
  discardWarmSlotWorkers,
  warmSlotWorkers,
} from '../../runtime/parallel/warm-slot-workers.ts';
import { HOST_WARM_SLOTS_ENV, type HostMessage, type HostRequestMessage } from './host-protocol.ts';
import { appContext, markAppOutput } from './app-output.ts';
import { HostedJob } from './hosted-job.ts';

/** Exit code of a host whose server went away. */
export const HOST_ORPHANED_EXIT_CODE = 70;

/** Runs the host until the server disconnects. */
export function runHost(): Promise<number> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new EddyError('eddy host is started by eddy server only', {
      code: 'CLI_USAGE',
      domain: 'user',
      hint: 'run eddy server, then deploy an application to it',
    });
  }
  const post = (m: HostMessage) => {
    if (process.connected) send(m);
  };
  const jobs = new Map<string, HostedJob>();
  // A session's applications share this process's output: mark each line with its application.
  if (process.env['EDDY_HOST_SESSION'] === '1') {
    markAppOutput(process.stdout);
    markAppOutput(process.stderr);
  }

  // The server names the slot workers the job will need: they load Eddy's modules now, beside
  // whatever comes before the job's start (an update's savepoint in the old process, the job's
  // import and restore here). Whatever the job does not take goes once it runs or ends.
  const warm = warmSlotsOf(process.env[HOST_WARM_SLOTS_ENV]);
  if (warm !== undefined) {
    warmSlotWorkers({
      ...warm,
      preload: [runtimeModuleUrl('.'), JOB_MODULE_RUNNER_URL],
    });
  }
  const discardWarm = () => {
    if (warm !== undefined) void discardWarmSlotWorkers();
  };

  const handle = async (m: HostRequestMessage): Promise<unknown> => {
    const job = jobs.get(m.app);
    switch (m.kind) {
      case 'start': {
        if (job?.active === true) throw notRunning(`application ${m.app} already runs here`);
        // Everything the job does from here runs in its application's context (app-output.ts).
        const started = await appContext
          .run(m.app, () =>
            HostedJob.start(
              m.app,
              m.entryPath,
              m.options,
              () => {
                discardWarm();
                post({ kind: 'job-running', app: m.app });
              },
              (status, error) => {
                discardWarm();
                post({ kind: 'job-ended', app: m.app, status, error });
              },
            ),
          )
          .catch((e: unknown) => {
            discardWarm();
            throw e;
          });
        jobs.set(m.app, started);
        return null;
      }
      case 'stop': {
        if (job === undefined || !job.active) return null;
        if (m.savepointDir !== undefined)
          return await job.jobClient.stopWithSavepoint(m.savepointDir);
        await job.jobClient.cancel();
        return null;
      }
      case 'snapshot': {
        if (job === undefined || !job.active)
          throw notRunning(`application ${m.app} is not running`);
        return await job.jobClient.triggerSavepoint(m.dir);
      }
      case 'status':
        return job?.status() ?? null;
      case 'profile': {
        const profile = job?.active === true ? job.jobClient.profileSubtask : undefined;
        if (job === undefined || profile === undefined)
          throw notRunning(`application ${m.app} is not running`);
        return await profile(m.subtask, { durationMs: m.durationMs, intervalUs: m.intervalUs });
      }
    }
  };

  process.on('message', (raw) => {
    const m = raw as HostRequestMessage;
    handle(m).then(
      (value) => post({ kind: 'reply', id: m.id, value: value ?? null }),
      (e: unknown) => post(replyError(m.id, e)),
    );
  });
  // A job's failure is reported through job-ended; nothing else may crash the host silently.
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`eddy host: unhandled rejection: ${describe(e)}\n`);
  });
  return new Promise((resolve) => {
    process.on('disconnect', () => {
      process.stderr.write('eddy host: the server went away; exiting\n');
      process.exit(HOST_ORPHANED_EXIT_CODE);
    });
    process.on('SIGTERM', () => {
      void Promise.allSettled(
        [...jobs.values()].filter((j) => j.active).map((j) => j.jobClient.cancel()),
      ).then(() => resolve(0));
    });
    post({ kind: 'ready' });
    // Eddy's API and runtime are imported by the job's first start anyway (the runtime lazily,
    // at its execute()); importing them now overlaps that with whatever comes before the start —
    // an update's savepoint in the old process, when this is the new version's process.
    void Promise.all([
      import(runtimeModuleUrl('.')),
      import('../../runtime/local-executor.ts'),
    ]).catch(() => {});
  });
}

/** The warm slot workers `EDDY_HOST_WARM_SLOTS` asks for (`<count>` or `<count>,ts`). */
export function warmSlotsOf(
  value: string | undefined,
): { count: number; typescript: boolean } | undefined {
  const m = /^(\d+)(,ts)?$/.exec(value ?? '');
  if (m === null) return undefined;
  const count = Math.min(Number(m[1]), 64);
  return count > 0 ? { count, typescript: m[2] !== undefined } : undefined;
}

/**
 * The reply to a failed request: an EddyError's fields as they are; a Node system error (a
 * savepoint directory that cannot be written) as the external IO_ERROR it is; anything else
 * INTERNAL — the server maps the code to its HTTP status.
 */
export function replyError(id: number, e: unknown): Extract<HostMessage, { kind: 'reply-error' }> {
  if (e instanceof EddyError) {
    const text = e.hint === undefined ? e.message : e.message.split('\n  hint:')[0]!;
    return {
      kind: 'reply-error',
      id,
      message: text,
      code: e.code,
      domain: e.domain,
      retryable: e.retryable,
      hint: e.hint,
    };
  }
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const system = typeof errno === 'string' && /^E[A-Z]+$/.test(errno);
  return {
    kind: 'reply-error',
    id,
    message: describe(e),
    code: system ? 'IO_ERROR' : 'INTERNAL',
    domain: system ? 'external' : 'internal',
    retryable: system,
  };
}

function notRunning(text: string): EddyError {
  return new EddyError(text, { code: 'CONFLICT', domain: 'user' });
}

function describe(e: unknown): string {
  if (e instanceof EddyError) return e.hint !== undefined ? `${e.message} (${e.hint})` : e.message;
  return e instanceof Error ? e.message : String(e);
}
