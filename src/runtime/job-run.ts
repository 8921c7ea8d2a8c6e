/**
 * One run of a job in this process: builds operator subtasks from the plan, wires their channels,
 * opens them, runs the sources, and ends with a result (or the first failure).
 *
 * @module
 */
import type { CpuProfile, CpuProfileOptions } from '../core/cpu-profile.ts';
import { sampleCpuProfile } from './profiling/sample-cpu-profile.ts';
import type { EnvironmentOptions } from '../core/environment-options.ts';
import type { JobExecutionResult } from '../core/job-client.ts';
import type { MetricSample } from '../core/metric-sample.ts';
import { toEddyError, type EddyError } from '../errors/eddy-error.ts';
import { sampleMetrics } from '../metrics/sample-metrics.ts';
import type { JobGraph } from '../plan/plan.ts';
import {
  JobCheckpointing,
  localCheckpointContext,
  type CheckpointContext,
} from './checkpoint/job-checkpointing.ts';
import { wireJob, type Subtask, type WiringHost } from './job-wiring.ts';
import type { SlotPlacement } from './parallel/slot-placement.ts';
import type { AttemptCheckpointStats, JobAttempt } from './recovery/job-attempt.ts';
import type { SourceTask } from './source-task.ts';
import { AttemptBase, type OperatorTotals } from './recovery/attempt-base.ts';

/**
 * Runs a job graph: every subtask in this thread, or (with a {@link SlotPlacement}) only the
 * subtasks of one slot, with cross-thread channels to the other slots.
 */
export class JobRun extends AttemptBase implements JobAttempt, WiringHost {
  subtasks: ReadonlyMap<number, readonly Subtask[]> = new Map();
  private readonly abort = new AbortController();
  private markFailed!: () => void;
  private readonly failed = new Promise<void>((resolve) => (this.markFailed = resolve));
  private readonly blockers = new Set<Promise<void>>();
  private failure: EddyError | undefined;
  private cancelled = false;
  private timesTicker: ReturnType<typeof setInterval> | undefined;
  private readonly sourcesDone: Promise<void>[] = [];
  /** Awaited after opening, before the sources start (the threaded runtime's start barrier). */
  beforeStart: (() => Promise<void>) | undefined;
  /** Checkpointing of this run (set once the subtasks are built). */
  checkpointing: JobCheckpointing | undefined;
  private stopSavepoint: Promise<unknown> | undefined;

  constructor(
    graph: JobGraph,
    options: EnvironmentOptions,
    private readonly checkpointContext: CheckpointContext = localCheckpointContext(),
    /** Restart attempt (0 for the first run). */
    readonly attempt = 0,
    /** Set in a worker thread of the parallel runtime: run only this slot's subtasks. */
    private readonly placement?: SlotPlacement,
  ) {
    super(graph, options);
  }

  /** Builds, opens and starts the job; the outcome arrives through {@link JobRun.result}. */
  start(): void {
    this.run().then(
      (result) => this.settle({ result }),
      (e: unknown) => this.settle({ failure: toEddyError(e) }),
    );
  }

  /**
   * Stops the sources; in-flight records drain to the sinks. (A savepoint on stop is the
   * supervisor's: it calls {@link JobRun.stopWithSavepoint}.)
   */
  cancel(): Promise<JobExecutionResult> {
    this.cancelled = true;
    for (const list of this.subtasks.values()) for (const s of list) s.source?.cancel();
    return this.result;
  }

  /** Takes a savepoint into `dir` while the job goes on; resolves with its path. */
  triggerSavepoint(dir: string): Promise<string> {
    const c = this.checkpointing;
    if (c === undefined) return Promise.reject(new Error('the job has not started yet'));
    return c.savepoint(dir, false);
  }

  /** Takes a savepoint into `dir`, stops the sources right after its barrier, ends the job. */
  stopWithSavepoint(dir: string): Promise<string> {
    const c = this.checkpointing;
    if (c === undefined) return Promise.reject(new Error('the job has not started yet'));
    this.cancelled = true;
    const p = c.savepoint(dir, true);
    // A failed savepoint leaves the job running (its sources read on).
    this.stopSavepoint = p.catch(() => {
      this.cancelled = false;
    });
    return p;
  }

  checkpointStats(): AttemptCheckpointStats | undefined {
    return this.checkpointing?.coordinator.stats();
  }

  metrics(): readonly MetricSample[] {
    return sampleMetrics(this.registry);
  }

  /** Every subtask of this run shares this thread: its profile is theirs. */
  profileSubtask(_subtask: number, o: CpuProfileOptions): Promise<CpuProfile> {
    return sampleCpuProfile(o);
  }

  /** Fails the job with `e` (the first failure wins). */
  fail(e: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = toEddyError(e);
    this.markFailed();
    this.abort.abort(this.failure);
    for (const list of this.subtasks.values()) for (const s of list) s.source?.cancel();
  }

  private async run(): Promise<JobExecutionResult> {
    const o = this.options;
    this.subtasks = wireJob(this.graph, o, this, this.placement);
    const checkpointing = new JobCheckpointing(
      this.graph.plan,
      this.subtasks,
      o,
      this.checkpointContext,
      {
        runAction: (a) => this.runAction(a),
        addBlocker: (p) => this.addBlocker(p),
        fail: (e) => this.fail(e),
      },
    );
    this.checkpointing = checkpointing;
    checkpointing.registerMetrics(this.registry, { job: this.graph.plan.jobName });
    this.registry.derivedCounter(
      'restarts',
      'in-process restarts of the job so far',
      { job: this.graph.plan.jobName },
      () => this.attempt,
    );
    this.registry.derivedGauge(
      'uptime_ms',
      'time since this attempt of the job started',
      { job: this.graph.plan.jobName },
      () => Date.now() - this.started,
    );
    const restore = this.checkpointContext.restore;
    if (restore !== undefined) {
      checkpointing.restore(restore);
      await checkpointing.restoreChains();
    }
    await this.startMetrics();
    this.timesTicker = setInterval(() => this.tickTimes(), 1000);
    this.timesTicker.unref();
    try {
      // Open from the sinks back to the sources, as Flink does.
      const all = [...this.subtasks.values()].flat().reverse();
      for (const s of all) await s.operator?.open();
      for (const s of all) if (s.gate !== undefined && s.gate.channelCount === 0) s.gate.endAll();
      if (this.beforeStart !== undefined) await this.beforeStart();
      this.markRunning();
      // Cross-thread input is delivered from now on (messages that came earlier were queued).
      const inputsEnded = this.placement?.start({
        addBlocker: (p) => this.addBlocker(p),
        fail: (e) => this.fail(e),
      });
      for (const list of this.subtasks.values()) {
        for (const s of list) {
          if (s.source !== undefined) this.sourcesDone.push(this.runSource(s.source));
        }
      }
      checkpointing.coordinator.start();
      await Promise.all(this.sourcesDone);
      // A failed slot stops waiting for input that the other slots will never end.
      if (inputsEnded !== undefined) await Promise.race([inputsEnded, this.failed]);
      await this.drainBlockers();
      if (this.stopSavepoint !== undefined) await this.stopSavepoint;
      const remote = this.checkpointContext.remote;
      if (remote !== undefined) {
        // On a worker thread the main thread's coordinator takes the final checkpoint, once
        // every thread has finished; its completion commits the sinks here.
        if (this.failure === undefined) {
          await Promise.race([remote.finalCheckpoint(), this.failed]);
          await this.drainBlockers();
        }
      } else if (
        this.failure === undefined &&
        !this.cancelled &&
        checkpointing.coordinator.periodicEnabled
      ) {
        // Final checkpoint: every task has finished, so it snapshots them directly (exactly-once
        // at the end of input).
        await checkpointing.coordinator
          .triggerFinalCheckpoint()
          .catch((e: unknown) => this.fail(e));
        await this.drainBlockers();
      }
      if (this.failure !== undefined) throw this.failure;
      return this.summary(this.cancelled ? 'CANCELED' : 'FINISHED', this.totals());
    } finally {
      await this.shutdown();
    }
  }

  private async runSource(task: SourceTask): Promise<void> {
    try {
      await task.run();
    } catch (e) {
      this.fail(e);
    }
  }

  private async drainBlockers(): Promise<void> {
    try {
      await this.waitForBlockers();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Computes the per-second busy / idle / backpressured values of every subtask. */
  tickTimes(): void {
    const now = performance.now();
    for (const list of this.subtasks.values()) for (const s of list) s.times.tick(now);
  }

  private async shutdown(): Promise<void> {
    if (this.timesTicker !== undefined) clearInterval(this.timesTicker);
    this.checkpointing?.coordinator.stop();
    if (this.failure !== undefined) await this.checkpointing?.abortPending().catch(() => {});
    // The supervisor closes the checkpoint store after this attempt: not under a write.
    await this.checkpointing?.coordinator.settle();
    for (const list of this.subtasks.values()) {
      for (const s of list) {
        try {
          await s.operator?.close();
          await s.source?.reader.close?.();
        } catch (e) {
          if (this.failure === undefined) this.fail(e);
        }
      }
    }
    await this.stopMetrics();
  }

  /** Sums the subtasks of each operator into the job's result. */
  private totals(): OperatorTotals[] {
    const totals: OperatorTotals[] = [];
    for (const [id, list] of this.subtasks) {
      const node = list[0]?.node;
      if (node === undefined) continue;
      let recordsIn = 0;
      let recordsOut = 0;
      let busyMs = 0;
      let backPressuredMs = 0;
      for (const s of list) {
        recordsIn += s.gate?.recordsIn ?? 0;
        recordsOut += s.output.recordsOut;
        busyMs += s.times.busyMs;
        backPressuredMs = Math.max(backPressuredMs, s.times.backPressuredMs);
      }
      totals.push({ id, name: node.name, recordsIn, recordsOut, busyMs, backPressuredMs });
    }
    return totals;
  }

  /** Aborted when the run fails (see {@link WiringHost.signal}). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  runAction(action: () => void): void {
    if (this.failure !== undefined) return;
    try {
      action();
    } catch (e) {
      this.fail(e);
    }
  }

  addBlocker(p: Promise<void>): void {
    const tracked: Promise<void> = p.then(
      () => {
        this.blockers.delete(tracked);
      },
      (e: unknown) => {
        this.blockers.delete(tracked);
        this.fail(e);
      },
    );
    this.blockers.add(tracked);
  }

  /** Resolves once no blocker is pending; rejects with the job's failure. */
  async waitForBlockers(): Promise<void> {
    while (this.blockers.size > 0) await Promise.all(this.blockers);
    if (this.failure !== undefined) throw this.failure;
  }
}
