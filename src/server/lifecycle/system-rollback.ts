/**
 * System rollbacks: a new version that cannot start, or fails past its probation's tolerance,
 * goes back by itself to the version it ran before and that version's update snapshot, recorded
 * as a SYSTEM_ROLLBACK operation by `system` — as the managed service does.
 *
 * @module
 */
import type { SnapshotRecord } from '../store/snapshot-repository.ts';
import { discardCheckpoints } from './checkpoint-directories.ts';
import type { JobLauncher } from './job-launcher.ts';
import type { LifecycleContext } from './lifecycle-context.ts';
import { errorOf, failure, message } from './manager-records.ts';
import type { ProbationTarget } from './update-probation.ts';

/** Rolls applications back by the system. */
export class SystemRollback {
  constructor(
    private readonly c: LifecycleContext,
    private readonly launcher: JobLauncher,
    /** Cancels a restart the restart policy has scheduled. */
    private readonly cancelRestart: (name: string) => void,
  ) {}

  /** Rolls a running new version on probation back (its failures passed the limit). */
  afterFailures(name: string, target: ProbationTarget, kind: string, reason: string): void {
    this.cancelRestart(name);
    this.c.monitor.runEnded(name);
    this.c.o.applications.update(name, { status: 'ROLLING_BACK' }, this.c.o.now());
    const snap =
      target.snapshotId === undefined ? undefined : this.c.o.snapshots.get(name, target.snapshotId);
    const done = (async () => {
      await this.c.runs.kill(name);
      await this.toPrevious(
        name,
        target.previousVersion,
        snap,
        new Error(`version failed after the update: ${reason}`),
        kind,
      );
    })().catch(() => {});
    this.c.track(done);
  }

  /**
   * Starts version `previous` from `snap` in place of the current one (which has stopped); the
   * application is FAILED when that fails too. Nothing happens when system rollback is off.
   */
  async toPrevious(
    name: string,
    previous: number,
    snap: SnapshotRecord | undefined,
    cause: unknown,
    kind = 'START_FAILED',
  ): Promise<void> {
    const s = this.c.settingsOf(name, this.c.require(name).version);
    if (!s.systemRollback.enabled) return;
    this.c.probation.end(name);
    const op = this.c.beginOperation(name, 'SYSTEM_ROLLBACK', 'system', previous, snap?.id);
    // Version and restore point change together, before the checkpoints go (see update).
    this.c.o.applications.update(
      name,
      {
        status: 'ROLLING_BACK',
        version: previous,
        job: this.c.startingJob(snap),
        lastFailure: failure(kind, cause, this.c.o.now()),
      },
      this.c.o.now(),
    );
    try {
      await discardCheckpoints(this.c.o.paths.checkpoints(name));
      await this.launcher.launch(name, previous, snap, false, 0);
      this.c.o.operations.end(op, 'SUCCESSFUL', this.c.o.now());
    } catch (e) {
      this.c.o.operations.end(op, 'FAILED', this.c.o.now(), message(e), errorOf(e));
      this.c.fail(name, 'START_FAILED', message(e));
    }
  }
}
