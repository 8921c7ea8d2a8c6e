/**
 * The watch over an application just updated: until `systemRollback.windowMs` has passed since
 * its new version reached RUNNING, every failure of the new version (its process died, or its
 * engine restarted the job) is counted, and at `systemRollback.maxFailures` the server rolls the
 * application back by itself to the version it ran before, from the update's snapshot — the
 * managed service's system rollback. An update that does not reach RUNNING at all is rolled back
 * at once (see ApplicationManager.update).
 *
 * @module
 */

/** What a rollback returns to. */
export interface ProbationTarget {
  /** The version that ran before the update. */
  readonly previousVersion: number;
  /** The snapshot the update took (the previous version's state when it stopped). */
  readonly snapshotId: string | undefined;
}

interface Watch extends ProbationTarget {
  readonly until: number;
  readonly maxFailures: number;
  failures: number;
}

/** Updated applications on probation. */
export class UpdateProbation {
  private readonly watches = new Map<string, Watch>();

  /** Puts `app` on probation for `windowMs`, tolerating `maxFailures - 1` failures. */
  begin(app: string, target: ProbationTarget, maxFailures: number, windowMs: number): void {
    this.watches.set(app, { ...target, maxFailures, until: Date.now() + windowMs, failures: 0 });
  }

  /** Ends `app`'s probation (stopped, updated again, rolled back, deleted). */
  end(app: string): void {
    this.watches.delete(app);
  }

  /** Whether `app` is still on probation. */
  on(app: string): boolean {
    const w = this.watches.get(app);
    if (w !== undefined && Date.now() > w.until) this.watches.delete(app);
    return this.watches.has(app);
  }

  /**
   * Counts `count` failures of `app`; returns where to roll back to when its probation has run
   * out of tolerance (and ends the probation), else undefined.
   */
  failed(app: string, count = 1): ProbationTarget | undefined {
    if (!this.on(app)) return undefined;
    const w = this.watches.get(app)!;
    w.failures += count;
    if (w.failures < w.maxFailures) return undefined;
    this.watches.delete(app);
    return { previousVersion: w.previousVersion, snapshotId: w.snapshotId };
  }
}
