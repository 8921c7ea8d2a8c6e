/**
 * Runs a job's attempts: restores the first one from a savepoint or the newest checkpoint in the
 * checkpoint directory, and after a failure restarts it in-process from the newest completed
 * checkpoint as the restart strategy allows, keeping the exception history.
 *
 * @module
 */
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobExecutionResult } from '../../core/job-client.ts';
import type { CheckpointStats, ExceptionRecord } from '../../core/job-status.ts';
import { EddyError, toEddyError } from '../../errors/eddy-error.ts';
import type { JobGraph } from '../../plan/plan.ts';
import {
  findLatestCheckpoint,
  listCheckpointIds,
  loadCheckpoint,
  type LoadedCheckpoint,
} from '../checkpoint/checkpoint-loader.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import {
  openCheckpointLocation,
  openCheckpointStore,
  type CheckpointStorageOptions,
} from '../checkpoint/open-checkpoint-store.ts';
import { JobRun } from '../job-run.ts';
import type { AttemptFactory, JobAttempt } from './job-attempt.ts';
import { createRestartStrategy } from './restart-strategy.ts';

/** Errors a restart cannot fix: the job or its savepoint must change first. */
const FATAL = new Set([
  'RESTORE_FAILED',
  'INVALID_JOB',
  'INVALID_ARGUMENT',
  'NOT_SERIALIZABLE',
  'JOB_CANCELLED',
  'NO_SINK',
]);

const HISTORY = 50;

export class JobSupervisor {
  readonly result: Promise<JobExecutionResult>;
  private current: JobAttempt | undefined;
  private readonly history: ExceptionRecord[] = [];
  private restarts = 0;
  private restoredFrom: string | undefined;
  private cancelled = false;
  private wakeSleep: (() => void) | undefined;
  private readonly log: (message: string) => void;
  private started: () => void = () => {};
  private readonly startedPromise = new Promise<void>((r) => (this.started = r));
  private markRunning: () => void = () => {};
  /** Resolves when the first attempt's sources start. */
  readonly running = new Promise<void>((r) => (this.markRunning = r));

  constructor(
    private readonly graph: JobGraph,
    private readonly options: EnvironmentOptions,
    /** Creates each attempt (default: a {@link JobRun} in this thread). */
    private readonly createAttempt: AttemptFactory = (context, attempt) =>
      new JobRun(graph, options, context, attempt),
  ) {
    this.log = (m) => process.stderr.write(`eddy: ${m}\n`);
    this.result = this.loop();
    this.result.catch(() => {});
  }

  get jobName(): string {
    return this.graph.plan.jobName;
  }

  /** The attempt running now. */
  get run(): JobAttempt | undefined {
    return this.current;
  }

  /**
   * Stops the job (no more restarts). With `savepointOnStop`, a savepoint is taken first and the
   * sources stop right after its barrier; if it fails, the job stops without one.
   */
  async cancel(): Promise<JobExecutionResult> {
    const dir = this.options.savepointOnStop;
    if (dir !== undefined && !this.cancelled) {
      this.stopWithSavepoint(dir).then(
        (path) => this.log(`savepoint written to ${path}`),
        (e: unknown) => {
          this.log(`savepoint on stop failed: ${(e as Error).message}`);
          void this.current?.cancel().catch(() => {});
        },
      );
      return this.result;
    }
    this.cancelled = true;
    this.wakeSleep?.();
    await this.current?.cancel().catch(() => {});
    return this.result;
  }

  async triggerSavepoint(dir: string): Promise<string> {
    await this.startedPromise;
    return (this.current as JobAttempt).triggerSavepoint(dir);
  }

  async stopWithSavepoint(dir: string): Promise<string> {
    this.cancelled = true;
    this.wakeSleep?.();
    // Before the attempt's subtasks are open there is nothing to snapshot: the savepoint follows.
    await this.startedPromise;
    return (this.current as JobAttempt).stopWithSavepoint(dir);
  }

  checkpointStats(): CheckpointStats {
    const s = this.current?.checkpointStats();
    return {
      completed: s?.completed ?? 0,
      failed: s?.failed ?? 0,
      lastCompleted: s?.lastCompleted,
      history: s?.history ?? [],
      restarts: this.restarts,
      restoredFrom: this.restoredFrom,
    };
  }

  exceptionHistory(): readonly ExceptionRecord[] {
    return this.history.slice();
  }

  metricsText(): Promise<string> {
    return this.current?.metricsText() ?? Promise.resolve('');
  }

  private async loop(): Promise<JobExecutionResult> {
    await Promise.resolve(); // let the caller attach handlers before anything can fail
    const o = this.options;
    const storage: CheckpointStorageOptions = { objectStorage: o.objectStorage, log: this.log };
    const store: CheckpointStore | undefined =
      o.checkpointDir !== undefined
        ? await openCheckpointStore(o.checkpointDir, storage)
        : undefined;
    try {
      return await this.attempts(store, storage);
    } finally {
      await store?.close();
    }
  }

  private async attempts(
    store: CheckpointStore | undefined,
    storage: CheckpointStorageOptions,
  ): Promise<JobExecutionResult> {
    const o = this.options;
    const initial = await this.initialRestore(store, storage);
    let restore = initial;
    const strategy = createRestartStrategy(o);
    for (let attempt = 0; ; attempt++) {
      const ids = store !== undefined ? await listCheckpointIds(store) : [];
      const firstId = Math.max(ids.at(-1) ?? 0, restore?.metadata.checkpointId ?? 0) + 1;
      this.restoredFrom = restore?.path;
      if (restore !== undefined) this.log(`restoring from ${restore.path}`);
      const run = this.createAttempt(
        {
          store,
          restore,
          firstId,
          existing:
            restore !== undefined && !restore.metadata.savepoint
              ? [restore.metadata.checkpointId]
              : [],
          log: this.log,
        },
        attempt,
      );
      this.current = run;
      void run.running.then(() => this.markRunning());
      run.start();
      this.started();
      try {
        return await run.result;
      } catch (e) {
        const err = toEddyError(e);
        this.record(err, attempt);
        if (this.cancelled || FATAL.has(err.code)) throw err;
        const delay = strategy.onFailure(Date.now());
        if (delay === undefined) throw err;
        this.log(
          `job failed (${err.message.split('\n')[0]}); restarting in ${delay} ms (restart ${this.restarts + 1})`,
        );
        await this.sleep(delay);
        if (this.cancelled) throw err;
        const latest =
          store !== undefined ? await findLatestCheckpoint(store, this.log) : undefined;
        restore = latest ?? initial;
        this.restarts++;
      }
    }
  }

  /** `fromSavepoint`, else the newest intact checkpoint in `checkpointDir` (unless disabled). */
  private async initialRestore(
    store: CheckpointStore | undefined,
    storage: CheckpointStorageOptions,
  ): Promise<LoadedCheckpoint | undefined> {
    const o = this.options;
    if (o.fromSavepoint !== undefined) {
      const path = o.fromSavepoint;
      try {
        const savepoint = await openCheckpointLocation(path, storage);
        try {
          return await loadCheckpoint(savepoint.store, savepoint.location);
        } finally {
          await savepoint.store.close();
        }
      } catch (e) {
        throw new EddyError(`cannot restore from ${path}: ${(e as Error).message}`, {
          code: 'RESTORE_FAILED',
          domain: 'user',
          cause: e,
          hint: 'pass the directory of a savepoint or checkpoint (the one holding _metadata)',
        });
      }
    }
    if (store === undefined || o.resumeFromCheckpoint === false) return undefined;
    return findLatestCheckpoint(store, this.log);
  }

  private record(err: EddyError, attempt: number): void {
    this.history.push({
      time: Date.now(),
      attempt,
      operator: err.operator?.name,
      subtask: err.operator?.subtask,
      code: err.code,
      message: err.message,
      stack: (err.cause instanceof Error ? err.cause.stack : undefined) ?? err.stack,
    });
    if (this.history.length > HISTORY) this.history.shift();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeSleep = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeSleep = done;
    });
  }
}
