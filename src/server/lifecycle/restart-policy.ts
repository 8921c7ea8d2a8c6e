/**
 * The restart policy of the server: an application whose run failed (its process died, or a
 * restart could not start) restarts from its latest checkpoint within its restart strategy's
 * budget, after the strategy's delay; past the budget it is FAILED with the reason — no endless
 * crash loop. The engine's own restarts inside a process are the job's; these are the process's.
 *
 * @module
 */
import type { ProbationTarget } from './update-probation.ts';
import { restartBudget } from './application-settings.ts';
import type { JobLauncher } from './job-launcher.ts';
import type { LifecycleContext } from './lifecycle-context.ts';
import { message } from './manager-records.ts';
import type { SystemRollback } from './system-rollback.ts';

/** Restarts applications whose runs failed. */
export class RestartPolicy {
  /** Crash times per application, for the restart budget. */
  private readonly crashes = new Map<string, number[]>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly c: LifecycleContext,
    private readonly launcher: JobLauncher,
    private readonly rollbacks: SystemRollback,
  ) {}

  /** Forgets `name`'s crashes (a new start begins a new budget). */
  reset(name: string): void {
    this.crashes.delete(name);
  }

  /**
   * A run of `app` failed (its process died, or a restart could not start): a new version on
   * probation past its tolerance rolls back; a process that passed its memory limit stops
   * (restarting it with the same memory would replay the same growth); anything else restarts
   * from the latest checkpoint within the restart strategy's budget, and past it the
   * application is FAILED with the reason.
   */
  crashed(app: string, kind: string, reason: string): void {
    const a = this.c.o.applications.get(app);
    if (a === undefined) return;
    this.c.monitor.runEnded(app);
    const target = this.c.probation.failed(app);
    if (target !== undefined) {
      this.rollbacks.afterFailures(app, target, kind, reason);
      return;
    }
    if (kind === 'OUT_OF_MEMORY' && a.session === undefined) {
      this.c.fail(
        app,
        kind,
        `${reason}; the application was stopped (raise resources.units or resources.heapShare, then start it again)`,
      );
      return;
    }
    const budget = restartBudget(this.c.settingsOf(app, a.version).restartStrategy);
    const nowMs = Date.now();
    const times = (this.crashes.get(app) ?? []).filter((t) => nowMs - t < budget.windowMs);
    if (times.length >= budget.attempts) {
      this.c.fail(
        app,
        kind,
        `${reason} (restarted ${times.length} times; the restart strategy allows ${budget.attempts})`,
      );
      return;
    }
    times.push(nowMs);
    this.crashes.set(app, times);
    this.c.o.applications.update(
      app,
      { status: 'STARTING', lastFailure: { at: this.c.o.now(), reason, kind } },
      this.c.o.now(),
    );
    const timer = setTimeout(
      () => {
        this.restartTimers.delete(app);
        const now = this.c.o.applications.get(app);
        // A stop or delete since the crash wins.
        if (now?.status === 'STARTING' && now.desired === 'RUNNING')
          this.restartFromCheckpoint(app, reason, times.length);
      },
      budget.delayMs(times.length - 1),
    );
    this.restartTimers.set(app, timer);
  }

  /**
   * Starts `name` again from its latest checkpoint (a RECOVER operation by `system`); a failure
   * counts as a crash, or, with `rollbackTo`, rolls the application back by the system.
   */
  restartFromCheckpoint(
    name: string,
    why: string,
    restarts = 0,
    rollbackTo?: ProbationTarget,
  ): void {
    const app = this.c.o.applications.get(name);
    if (app === undefined) return;
    const op = this.c.beginOperation(name, 'RECOVER', 'system', app.version);
    this.c.o.applications.update(name, { status: 'STARTING' }, this.c.o.now());
    const from =
      app.job?.restoredFrom === undefined
        ? undefined
        : this.c.o.snapshots.get(name, app.job.restoredFrom);
    this.c.run(
      op,
      () => this.launcher.launch(name, app.version, from, true, restarts),
      (e) => {
        const now = this.c.o.applications.get(name);
        // A force stop during the restart ends it; nothing to do.
        if (now === undefined || now.status !== 'STARTING') return;
        if (rollbackTo !== undefined) {
          const snap =
            rollbackTo.snapshotId === undefined
              ? undefined
              : this.c.o.snapshots.get(name, rollbackTo.snapshotId);
          return this.rollbacks.toPrevious(name, rollbackTo.previousVersion, snap, e);
        }
        this.crashed(name, 'CRASH', `restart after "${why}" failed: ${message(e)}`);
      },
    );
  }

  /** Cancels the restart scheduled for `name`, if any. */
  cancel(name: string): void {
    const t = this.restartTimers.get(name);
    if (t !== undefined) clearTimeout(t);
    this.restartTimers.delete(name);
  }

  /** Cancels every scheduled restart (server shutdown). */
  cancelAll(): void {
    for (const t of this.restartTimers.values()) clearTimeout(t);
  }
}
