/**
 * The application lifecycle: every call that changes an application becomes an operation row
 * (IN_PROGRESS → SUCCESSFUL | FAILED) and moves the application through the state machine of
 * lifecycle-rules.ts. The status change that admits an operation is written synchronously before
 * anything is awaited, so two calls on one application can never both pass the check.
 *
 * This file holds the reads, create/start/stop/snapshot/rollback/delete and the supervisor's
 * events; the update is update-operation.ts, recovery after a server restart
 * server-recovery.ts, restarts after a crash restart-policy.ts, system rollbacks
 * system-rollback.ts, starting a job job-launcher.ts, and what they share lifecycle-context.ts.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { EddyError } from '../../errors/eddy-error.ts';
import type {
  ApplicationDescription,
  ApplicationVersion,
  CreateApplicationRequest,
  StartApplicationRequest,
  StopApplicationRequest,
  UpdateApplicationRequest,
} from '../../protocol/application.ts';
import type { OperationAccepted, OperationDescription } from '../../protocol/operation.ts';
import type { SnapshotDescription } from '../../protocol/snapshot.ts';
import type { ApplicationRecord } from '../store/application-repository.ts';
import type { SnapshotRecord } from '../store/snapshot-repository.ts';
import type { HostJobStatus } from '../host/host-protocol.ts';
import type { HostExit } from '../supervisor/host-process.ts';
import type { RunEvents, RunSupervisor } from '../supervisor/run-supervisor.ts';
import { effectiveSettings, memoryOf } from './application-settings.ts';
import { checkCapacity } from './capacity-check.ts';
import { discardCheckpoints } from './checkpoint-directories.ts';
import { JobLauncher } from './job-launcher.ts';
import { LifecycleContext, type ApplicationManagerOptions } from './lifecycle-context.ts';
import { checkTransition } from './lifecycle-rules.ts';
import { publicJob, publicSnapshot } from './manager-records.ts';
import { RestartPolicy } from './restart-policy.ts';
import { recoverApplications } from './server-recovery.ts';
import { SystemRollback } from './system-rollback.ts';
import { updateApplication } from './update-operation.ts';

export type { ApplicationManagerOptions } from './lifecycle-context.ts';

type Restore = NonNullable<StartApplicationRequest['restore']>;

/** Runs the lifecycle of every application. */
export class ApplicationManager implements RunEvents {
  private readonly c: LifecycleContext;
  private readonly launcher: JobLauncher;
  private readonly rollbacks: SystemRollback;
  private readonly restarts: RestartPolicy;

  constructor(o: ApplicationManagerOptions) {
    this.c = new LifecycleContext(o, {
      jobFailures: (app, count, last) => this.jobFailures(app, count, last),
    });
    this.launcher = new JobLauncher(this.c);
    this.rollbacks = new SystemRollback(this.c, this.launcher, (name) =>
      this.restarts.cancel(name),
    );
    this.restarts = new RestartPolicy(this.c, this.launcher, this.rollbacks);
  }

  /** Connects the supervisor (made with this manager as its events). */
  attach(supervisor: RunSupervisor): void {
    this.c.attach(supervisor);
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** Every application. */
  list(): ApplicationDescription[] {
    return this.c.o.applications.list().map((a) => this.describeRecord(a));
  }

  /** One application; 404 when unknown. */
  describe(name: string): ApplicationDescription {
    return this.describeRecord(this.c.require(name));
  }

  /** An application's versions, newest first. */
  versions(name: string): ApplicationVersion[] {
    this.c.require(name);
    return this.c.o.applications.versions(name);
  }

  /** An application's operations, newest first. */
  operationsOf(name: string): OperationDescription[] {
    this.c.require(name);
    return this.c.o.operations.list(name);
  }

  /** One operation; 404 when unknown. */
  operation(id: string): OperationDescription {
    return this.c.operation(id);
  }

  /** An application's snapshots, newest first. */
  snapshotsOf(name: string): SnapshotDescription[] {
    this.c.require(name);
    return this.c.o.snapshots.list(name).map(publicSnapshot);
  }

  /** One snapshot; 404 when unknown. */
  snapshot(name: string, id: string): SnapshotDescription {
    return publicSnapshot(this.c.requireSnapshot(name, id));
  }

  /** The log file of an application. */
  logFile(name: string): string {
    this.c.require(name);
    return this.c.o.paths.log(name);
  }

  /** What the application's job reports (plan, metrics, checkpoints, exceptions), when it runs. */
  async job(name: string): Promise<HostJobStatus | undefined> {
    this.c.require(name);
    return this.c.runs.status(name);
  }

  /** Samples the CPU profile of the thread running subtask `subtask` of the application's job. */
  async profile(
    name: string,
    subtask: number,
    durationMs: number,
    intervalUs: number,
  ): Promise<unknown> {
    this.c.require(name);
    return this.c.runs.profile(name, subtask, durationMs, intervalUs);
  }

  // ---- changes --------------------------------------------------------------------------------

  /** Creates an application at version 1, READY. */
  create(req: CreateApplicationRequest, by: string): ApplicationDescription {
    if (this.c.o.applications.get(req.name) !== undefined) {
      throw new EddyError(`application ${req.name} already exists`, {
        code: 'CONFLICT',
        domain: 'user',
        hint: `update it (PATCH /v1/applications/${req.name}) or choose another name`,
      });
    }
    this.c.o.artifacts.get(req.artifactId);
    const now = this.c.o.now();
    this.c.o.applications.create(req.name, req.artifactId, req.config ?? {}, now);
    const id = this.c.beginOperation(req.name, 'CREATE', by, 1);
    this.c.o.operations.end(id, 'SUCCESSFUL', this.c.o.now());
    return this.describe(req.name);
  }

  /** Starts an application (202: the operation runs on). */
  start(name: string, req: StartApplicationRequest, by: string): OperationAccepted {
    const app = this.c.require(name);
    checkTransition(name, app.status, 'start');
    const restore: Restore = req.restore ?? { mode: 'RESTORE_FROM_LATEST_SNAPSHOT' };
    const from = this.restoreSnapshot(name, restore);
    checkCapacity(this.c.capacity(), name, this.c.settingsOf(name, app.version), 'start');
    const op = this.c.beginOperation(name, 'START', by, app.version, from?.id);
    // The restore point is recorded before the old checkpoints go: a server killed from here on
    // restarts the application from it, never from state it was not asked to start from.
    this.c.o.applications.update(
      name,
      { status: 'STARTING', desired: 'RUNNING', job: this.c.startingJob(from) },
      this.c.o.now(),
    );
    this.restarts.reset(name);
    this.c.run(op, async () => {
      const stages = this.c.stagesOf(op);
      await discardCheckpoints(this.c.o.paths.checkpoints(name));
      stages.mark('discard-checkpoints');
      await this.launcher.launch(
        name,
        app.version,
        from,
        restore.allowNonRestoredState ?? false,
        0,
        stages,
      );
    });
    return { operationId: op, application: name, status: 'STARTING' };
  }

  /** Stops an application, by default with a snapshot (202). */
  stop(name: string, req: StopApplicationRequest, by: string): OperationAccepted {
    const app = this.c.require(name);
    const force = req.force === true;
    checkTransition(name, app.status, force ? 'force-stop' : 'stop');
    const withSnapshot = !force && req.snapshot !== false;
    const op = this.c.beginOperation(name, 'STOP', by, app.version);
    this.c.o.applications.update(name, { status: 'STOPPING', desired: 'STOPPED' }, this.c.o.now());
    this.restarts.cancel(name);
    this.c.probation.end(name);
    this.c.run(
      op,
      async () => {
        if (force) await this.c.runs.kill(name);
        else if (withSnapshot) {
          const stages = this.c.stagesOf(op);
          const snap = await this.c.takeSnapshot(
            name,
            app.version,
            true,
            (dir) => this.c.runs.stop(name, dir, this.c.o.savepointTimeoutMs, stages),
            stages,
          );
          this.c.o.operations.annotate(op, { snapshot: snap });
        } else await this.c.runs.stop(name, undefined, this.c.o.savepointTimeoutMs);
        this.c.monitor.runEnded(name);
        this.c.o.applications.update(name, { status: 'READY', job: undefined }, this.c.o.now());
      },
      // A stop that failed leaves the job as it was (the savepoint failed, the job runs on) —
      // and still meant to run: a server restarted now restarts it.
      () =>
        this.c.o.applications.update(
          name,
          this.c.runs.isRunning(name)
            ? { status: 'RUNNING', desired: 'RUNNING' }
            : { status: 'READY' },
          this.c.o.now(),
        ),
    );
    return { operationId: op, application: name, status: 'STOPPING' };
  }

  /** Takes a snapshot of a running application without stopping it (202). */
  createSnapshot(name: string, by: string): OperationAccepted {
    const app = this.c.require(name);
    checkTransition(name, app.status, 'snapshot');
    const op = this.c.beginOperation(name, 'SNAPSHOT', by, app.version);
    this.c.run(op, async () => {
      const snap = await this.c.takeSnapshot(name, app.version, false, (dir) =>
        this.c.runs.snapshot(name, dir, this.c.o.savepointTimeoutMs),
      );
      this.c.o.operations.annotate(op, { snapshot: snap });
    });
    return { operationId: op, application: name, status: app.status };
  }

  /** Deletes a snapshot (its files and its row). */
  async deleteSnapshot(name: string, id: string, by: string): Promise<void> {
    const app = this.c.require(name);
    const snap = this.c.requireSnapshot(name, id);
    const op = this.c.beginOperation(name, 'DELETE_SNAPSHOT', by, app.version, id);
    this.c.o.snapshots.delete(snap.id);
    await rm(this.c.o.paths.snapshot(name, id), { recursive: true, force: true });
    this.c.o.operations.end(op, 'SUCCESSFUL', this.c.o.now());
  }

  /**
   * Records a new version; a running application moves to it through snapshot → stop → start
   * from that snapshot, and goes back to the previous version by itself when the new one does
   * not reach RUNNING (a system rollback). See update-operation.ts.
   */
  update(name: string, req: UpdateApplicationRequest, by: string): OperationAccepted {
    return updateApplication(this.c, this.launcher, this.rollbacks, name, req, by);
  }

  /** Goes back one version, from that version's newest snapshot (202). */
  rollback(name: string, by: string): OperationAccepted {
    const app = this.c.require(name);
    checkTransition(name, app.status, 'rollback');
    const previous = app.version - 1;
    if (previous < 1 || this.c.o.applications.version(name, previous) === undefined) {
      throw new EddyError(
        `application ${name} is at version ${app.version}: there is no version to roll back to`,
        {
          code: 'CONFLICT',
          domain: 'user',
          hint: 'GET /v1/applications/' + name + '/versions lists its versions',
        },
      );
    }
    const running = app.status === 'RUNNING';
    const op = this.c.beginOperation(name, 'ROLLBACK', by, previous);
    this.c.o.applications.update(name, { status: 'ROLLING_BACK' }, this.c.o.now());
    this.c.probation.end(name);
    this.c.run(op, async () => {
      if (running) await this.c.runs.stop(name, undefined, this.c.o.savepointTimeoutMs);
      this.c.monitor.runEnded(name);
      const snap = this.c.o.snapshots.latestReady(name, previous);
      if (!running) {
        this.c.o.applications.update(
          name,
          { version: previous, job: undefined, status: 'READY' },
          this.c.o.now(),
        );
        return;
      }
      this.c.o.applications.update(
        name,
        { version: previous, job: this.c.startingJob(snap) },
        this.c.o.now(),
      );
      this.c.o.operations.annotate(op, snap === undefined ? {} : { snapshot: snap.id });
      await discardCheckpoints(this.c.o.paths.checkpoints(name));
      await this.launcher.launch(name, previous, snap, true, 0);
    });
    return { operationId: op, application: name, status: 'ROLLING_BACK' };
  }

  /** Deletes a stopped application with its snapshots and files (202). */
  delete(name: string, by: string): OperationAccepted {
    const app = this.c.require(name);
    checkTransition(name, app.status, 'delete');
    const op = this.c.beginOperation(name, 'DELETE', by, app.version);
    this.c.o.applications.update(name, { status: 'DELETING' }, this.c.o.now());
    this.restarts.cancel(name);
    this.c.probation.end(name);
    this.c.run(op, async () => {
      this.c.o.snapshots.deleteAll(name);
      this.c.o.applications.delete(name);
      await rm(this.c.o.paths.app(name), { recursive: true, force: true });
    });
    return { operationId: op, application: name, status: 'DELETING' };
  }

  /**
   * After a server (re)start: ends what a dead server left in progress and restarts every
   * application that should run, from its latest checkpoint (server-recovery.ts).
   */
  recover(): Promise<void> {
    return recoverApplications(this.c, this.restarts);
  }

  /** Waits for operations in flight (server shutdown). */
  async drain(): Promise<void> {
    this.c.monitor.stop();
    this.restarts.cancelAll();
    await Promise.allSettled([...this.c.inFlight]);
  }

  // ---- supervisor events ------------------------------------------------------------------------

  /** The job ended by itself: finished input, or failed past the engine's restart strategy. */
  jobEnded(
    app: string,
    status: 'FINISHED' | 'CANCELED' | 'FAILED',
    error: string | undefined,
  ): void {
    const a = this.c.o.applications.get(app);
    // During a stop, update or rollback the job ends because the server asked.
    if (a === undefined || a.status !== 'RUNNING') return;
    this.c.monitor.runEnded(app);
    if (status === 'FAILED') {
      const reason = error ?? 'the job failed';
      // A new version that fails for good while on probation goes back at once.
      const target = this.c.probation.failed(app, Number.MAX_SAFE_INTEGER);
      if (target !== undefined) {
        this.rollbacks.afterFailures(app, target, 'JOB_FAILED', reason);
        return;
      }
      void this.c.runs.release(app);
      this.c.fail(app, 'JOB_FAILED', reason);
    } else {
      void this.c.runs.release(app);
      this.c.o.applications.update(
        app,
        { status: 'READY', desired: 'STOPPED', job: undefined },
        this.c.o.now(),
      );
    }
  }

  /** The application's process died: restart within the budget, FAILED past it. */
  hostDied(app: string, exit: HostExit): void {
    const a = this.c.o.applications.get(app);
    // While STARTING, the launch in progress sees the death itself (and calls crashed).
    if (a === undefined || a.status !== 'RUNNING') return;
    this.restarts.crashed(app, exit.kind, exit.reason);
  }

  /** The engine restarted the job of `app` after `count` failures (seen by the monitor). */
  private jobFailures(app: string, count: number, lastMessage: string): void {
    const a = this.c.o.applications.get(app);
    if (a === undefined || a.status !== 'RUNNING') return;
    const target = this.c.probation.failed(app, count);
    if (target !== undefined) this.rollbacks.afterFailures(app, target, 'JOB_FAILED', lastMessage);
  }

  // ---- internals ------------------------------------------------------------------------------

  private restoreSnapshot(name: string, restore: Restore): SnapshotRecord | undefined {
    switch (restore.mode) {
      case 'SKIP_RESTORE':
        return undefined;
      case 'RESTORE_FROM_LATEST_SNAPSHOT':
        return this.c.o.snapshots.latestReady(name);
      case 'RESTORE_FROM_CUSTOM_SNAPSHOT': {
        if (restore.snapshot === undefined) {
          throw new EddyError('restore.snapshot is required with RESTORE_FROM_CUSTOM_SNAPSHOT', {
            code: 'BAD_REQUEST',
            domain: 'user',
            hint: `name one of GET /v1/applications/${name}/snapshots`,
          });
        }
        const snap = this.c.requireSnapshot(name, restore.snapshot);
        if (snap.status !== 'READY') {
          throw new EddyError(`snapshot ${snap.id} is ${snap.status}, not READY`, {
            code: 'CONFLICT',
            domain: 'user',
          });
        }
        return snap;
      }
    }
  }

  private describeRecord(a: ApplicationRecord): ApplicationDescription {
    const v = this.c.o.applications.version(a.name, a.version)!;
    const s = effectiveSettings(v.config);
    const { memoryMb, heapMb } = memoryOf(s.units, s.heapShare, this.c.o.unitMemoryMb);
    const live = a.status === 'RUNNING' ? this.c.attached?.usage(a.name) : undefined;
    return {
      name: a.name,
      status: a.status,
      version: a.version,
      artifactId: v.artifactId,
      config: v.config,
      effective: { ...s },
      resources: { units: s.units, parallelism: s.parallelism, memoryMb, heapMb },
      ...(a.session !== undefined && { session: a.session }),
      ...(a.job !== undefined && { job: publicJob(a.job) }),
      ...(a.lastFailure !== undefined && { lastFailure: a.lastFailure }),
      usage: this.c.monitor.usage(a.name) ?? {
        ...a.usage,
        ...(live?.stats !== undefined && { rssBytes: live.stats.rssBytes }),
      },
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }
}
