/**
 * Runs a job's attempts: restores the first one from a savepoint or the newest checkpoint in the
 * checkpoint directory, and after a failure restarts it in-process from the newest completed
 * checkpoint as the restart strategy allows, keeping the exception history.
 *
 * @module
 */
import type { CpuProfile, CpuProfileOptions } from '../../core/cpu-profile.ts';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobExecutionResult } from '../../core/job-client.ts';
import type { CheckpointStats, ExceptionRecord } from '../../core/job-status.ts';
import { EddyError, toEddyError } from '../../errors/eddy-error.ts';
import type { JobGraph } from '../../plan/plan.ts';
import {
  hasDeferredChains,
  listCheckpointIds,
  loadCheckpoint,
  type LoadedCheckpoint,
} from '../checkpoint/checkpoint-loader.ts';
import { chooseRestoreCheckpoint } from '../checkpoint/choose-restore-checkpoint.ts';
import { CheckpointDirectoryLock } from '../checkpoint/checkpoint-directory-lock.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import {
  openCheckpointLocation,
  openCheckpointStore,
  type CheckpointStorageOptions,
} from '../checkpoint/open-checkpoint-store.ts';
import { isObjectStorageUri } from '../../storage/open-blob-store.ts';
import { JobRun } from '../job-run.ts';
import type { AttemptFactory, JobAttempt } from './job-attempt.ts';
import { createRestartStrategy } from './restart-strategy.ts';

/** Errors a restart cannot fix: the job or its savepoint must change first. */
const FATAL = new Set([
  'RESTORE_FAILED',
  'CHECKPOINT_DIR_LOCKED',
  'INVALID_JOB',
  'INVALID_ARGUMENT',
  'NOT_SERIALIZABLE',
  'JOB_CANCELLED',
  'NO_SINK',
]);

const HISTORY = 50;

/**
 * A user error marked not retryable (bad input under failOnMalformedInput, a refused key, a
 * misuse of the API, an EddyError the user threw with `retryable: false`) fails the same way
 * after every restart from the same checkpoint: restarting would loop forever.
 */
function isDeterministic(err: EddyError): boolean {
  return err.domain === 'user' && !err.retryable;
}

export class JobSupervisor {
  readonly result: Promise<JobExecutionResult>;
  private current: JobAttempt | undefined;
  private readonly history: ExceptionRecord[] = [];
  private restarts = 0;
  private restoredFrom: string | undefined;
  /** How the job was asked to stop: not yet, plainly, or after a savepoint. */
  private stopping: 'no' | 'cancel' | 'savepoint' = 'no';
  /** The savepoint of `savepointOnStop`, once a stop asked for it. */
  private savepointOnStop: Promise<string> | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly log: (message: string) => void;
  /** The attempt running now or, during a restart backoff, the next one. */
  private live: Deferred<JobAttempt> = deferred();
  private readonly startedAt = Date.now();
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
    this.result = this.loop().finally(() => {
      // Nothing more will start: savepoints asked for from now on cannot be taken.
      this.live.reject(new Error('the job has ended'));
    });
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
   * Stops the job (no more restarts), also while it restores or waits to restart. With
   * `savepointOnStop`, a savepoint is taken first and the sources stop right after its barrier;
   * if it fails, the job stops without one and its result is a `CHECKPOINT_FAILED` error, so
   * that a script can tell that no savepoint exists.
   */
  async cancel(): Promise<JobExecutionResult> {
    const dir = this.options.savepointOnStop;
    if (dir !== undefined && this.stopping === 'no') {
      const savepoint = this.stopWithSavepoint(dir);
      this.savepointOnStop = savepoint;
      savepoint.then(
        (path) => this.log(`savepoint written to ${path}`),
        (e: unknown) => {
          this.log(`savepoint on stop failed: ${(e as Error).message}`);
          // The attempt ran on after the failed savepoint; this stop ends it without one.
          this.stopping = 'cancel';
          this.wakeSleep?.();
          void this.current?.cancel().catch(() => {});
        },
      );
      return this.result;
    }
    this.stopping = 'cancel';
    this.wakeSleep?.();
    await this.current?.cancel().catch(() => {});
    return this.result;
  }

  async triggerSavepoint(dir: string): Promise<string> {
    return (await this.live.promise).triggerSavepoint(dir);
  }

  async stopWithSavepoint(dir: string): Promise<string> {
    const asked = this.stopping === 'no';
    if (asked) this.stopping = 'savepoint';
    // During a restart backoff: restart now, and take the savepoint from the restored state.
    this.wakeSleep?.();
    try {
      // Before the attempt's subtasks are open there is nothing to snapshot: the savepoint follows.
      return await (await this.live.promise).stopWithSavepoint(dir);
    } catch (e) {
      // The attempt runs on (a failed stop-with-savepoint stops nothing): so may its restarts.
      if (asked && this.stopping === 'savepoint') this.stopping = 'no';
      throw e;
    }
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

  /** Samples the CPU profile of the thread that runs subtask `subtask` of the current attempt. */
  async profileSubtask(subtask: number, o: CpuProfileOptions): Promise<CpuProfile> {
    return (await this.live.promise).profileSubtask(subtask, o);
  }

  private async loop(): Promise<JobExecutionResult> {
    await Promise.resolve(); // let the caller attach handlers before anything can fail
    const o = this.options;
    const storage: CheckpointStorageOptions = { objectStorage: o.objectStorage, log: this.log };
    if (o.checkpointDir === undefined) return this.attempts(undefined, storage);
    // One run per checkpoint directory, for the whole job (every attempt). Object storage has no
    // lock to take: the one-run rule is then the deployment's (a server runs an application once).
    const lock = isObjectStorageUri(o.checkpointDir)
      ? undefined
      : CheckpointDirectoryLock.acquire(o.checkpointDir, this.log);
    try {
      const store = await openCheckpointStore(o.checkpointDir, storage);
      try {
        return await this.attempts(store, storage);
      } finally {
        await store.close();
      }
    } finally {
      lock?.release();
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
    /** Checkpoints of this execution have larger ids; older ones are not restart points. */
    let executionStart: number | undefined;
    /**
     * The largest checkpoint id an attempt used: ids are never reused, not even those of failed
     * checkpoints whose directories are still being removed when the next attempt starts.
     */
    let usedThrough = 0;
    for (let attempt = 0; ; attempt++) {
      // Stopped while restoring or waiting to restart: there is nothing running to stop.
      if (this.stopping === 'cancel') return this.canceled();
      const ids = store !== undefined ? await listCheckpointIds(store) : [];
      const firstId =
        Math.max(ids.at(-1) ?? 0, restore?.metadata.checkpointId ?? 0, usedThrough) + 1;
      executionStart ??= firstId - 1;
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
      this.live.resolve(run);
      let result: JobExecutionResult;
      try {
        result = await run.result;
      } catch (e) {
        for (const c of run.checkpointStats()?.history ?? [])
          usedThrough = Math.max(usedThrough, c.id);
        const err = toEddyError(e);
        this.record(err, attempt);
        if (this.stopping !== 'no' || FATAL.has(err.code) || isDeterministic(err)) throw err;
        const delay = strategy.onFailure(Date.now());
        if (delay === undefined) throw err;
        this.log(
          `job failed (${err.message.split('\n')[0]}); restarting in ${delay} ms (restart ${this.restarts + 1})`,
        );
        this.live = deferred();
        await this.sleep(delay);
        // (Re-read: a signal may have arrived during the backoff.)
        if (this.stopRequested() === 'cancel') return this.canceled();
        const latest =
          store !== undefined ? await this.chooseRestore(store, executionStart) : undefined;
        restore = latest ?? initial;
        this.restarts++;
        continue;
      }
      await this.checkSavepointOnStop();
      return result;
    }
  }

  private stopRequested(): 'no' | 'cancel' | 'savepoint' {
    return this.stopping;
  }

  /** The result of a job stopped while no attempt ran. */
  private canceled(): JobExecutionResult {
    this.log('job stopped before it was running again');
    return {
      jobName: this.jobName,
      status: 'CANCELED',
      durationMs: Math.max(1, Date.now() - this.startedAt),
      operators: [],
    };
  }

  /** Throws when the savepoint `savepointOnStop` asked for was not written. */
  private async checkSavepointOnStop(): Promise<void> {
    if (this.savepointOnStop === undefined) return;
    try {
      await this.savepointOnStop;
    } catch (e) {
      throw new EddyError(
        `the savepoint on stop failed, so the job stopped without one: ${(e as Error).message}`,
        {
          code: 'CHECKPOINT_FAILED',
          domain: 'external',
          retryable: true,
          cause: e,
          hint: `no savepoint was written to ${this.options.savepointOnStop}; a restart with the same checkpoint directory resumes from its newest checkpoint`,
        },
      );
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
        let cp: LoadedCheckpoint;
        try {
          cp = await loadCheckpoint(savepoint.store, savepoint.location);
        } catch (e) {
          await savepoint.store.close();
          throw e;
        }
        // A checkpoint's incremental chains are read from the store while the job restores.
        if (!hasDeferredChains(cp)) await savepoint.store.close();
        return cp;
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
    return this.chooseRestore(store, 0);
  }

  /**
   * The newest intact checkpoint with an id above `after`; refuses (`RESTORE_FAILED`) when
   * skipping a damaged one would commit its output again (see choose-restore-checkpoint.ts).
   */
  private async chooseRestore(
    store: CheckpointStore,
    after: number,
  ): Promise<LoadedCheckpoint | undefined> {
    const choice = await chooseRestoreCheckpoint(store, {
      after,
      storage: { objectStorage: this.options.objectStorage, log: this.log },
    });
    for (const s of choice.skipped) {
      if (!s.completed) this.log(`skipping incomplete checkpoint ${s.path}: ${s.reason}`);
    }
    if (choice.kind === 'refuse') throw choice.error;
    return choice.kind === 'restore' ? choice.checkpoint : undefined;
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

/** A promise with its settle functions; settling twice is a no-op. */
interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
