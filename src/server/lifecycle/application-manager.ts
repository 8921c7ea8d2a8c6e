/**
 * The application lifecycle: every call that changes an application becomes an operation row
 * (IN_PROGRESS → SUCCESSFUL | FAILED) and moves the application through the state machine of
 * lifecycle-rules.ts. The status change that admits an operation is written synchronously before
 * anything is awaited, so two calls on one application can never both pass the check.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EddyError } from '../../errors/eddy-error.ts';
import type {
  ApplicationConfig,
  ApplicationDescription,
  ApplicationVersion,
  CreateApplicationRequest,
  StartApplicationRequest,
  StopApplicationRequest,
  UpdateApplicationRequest,
} from '../../protocol/application.ts';
import type {
  OperationAccepted,
  OperationDescription,
  OperationType,
} from '../../protocol/operation.ts';
import type { SnapshotDescription } from '../../protocol/snapshot.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { ServerPaths } from '../server-paths.ts';
import type {
  ApplicationRecord,
  ApplicationRepository,
  JobRecord,
} from '../store/application-repository.ts';
import type { OperationRepository } from '../store/operation-repository.ts';
import type { SnapshotRecord, SnapshotRepository } from '../store/snapshot-repository.ts';
import type { HostJobStatus } from '../host/host-protocol.ts';
import type { HostExit } from '../supervisor/host-process.ts';
import type { HostSpec, RunEvents, RunSupervisor } from '../supervisor/run-supervisor.ts';
import {
  effectiveSettings,
  environmentOptionsOf,
  memoryOf,
  restartBudget,
  type EffectiveSettings,
} from './application-settings.ts';
import { ApplicationMonitor } from './application-monitor.ts';
import { checkCapacity, HOLDING, type CapacityView } from './capacity-check.ts';
import { discardCheckpoints, removeDiscardedCheckpoints } from './checkpoint-directories.ts';
import { checkTransition } from './lifecycle-rules.ts';
import {
  errorOf,
  failure,
  message,
  notFound,
  publicJob,
  publicSnapshot,
  sizeOf,
} from './manager-records.ts';
import { hasResumableCheckpoint } from './resumable-checkpoint.ts';
import { UpdateProbation, type ProbationTarget } from './update-probation.ts';
import { StageTimer } from './stage-timer.ts';

/** What the manager works with. */
export interface ApplicationManagerOptions {
  readonly paths: ServerPaths;
  readonly applications: ApplicationRepository;
  readonly operations: OperationRepository;
  readonly snapshots: SnapshotRepository;
  readonly artifacts: ArtifactStore;
  /** Memory of one resource unit, in MiB (default 4096). */
  readonly unitMemoryMb: number;
  /** Resource units the machine offers (default: its cores). */
  readonly capacityUnits: number;
  /** Time a stop or snapshot may take before it fails. */
  readonly savepointTimeoutMs: number;
  readonly now: () => string;
  /** How often running applications are polled for usage and failures (default 1000 ms). */
  readonly monitorIntervalMs?: number;
}

type Restore = NonNullable<StartApplicationRequest['restore']>;

/** Runs the lifecycle of every application. */
export class ApplicationManager implements RunEvents {
  private supervisor: RunSupervisor | undefined;
  /** Crash times per application, for the restart budget. */
  private readonly crashes = new Map<string, number[]>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Operations still running, so a server shutdown can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly probation = new UpdateProbation();
  private readonly monitor: ApplicationMonitor;

  constructor(private readonly o: ApplicationManagerOptions) {
    this.monitor = new ApplicationMonitor(
      o.applications,
      () => this.runs,
      { jobFailures: (app, count, last) => this.jobFailures(app, count, last) },
      o.now,
      o.monitorIntervalMs ?? 1000,
    );
  }

  /** Connects the supervisor (made with this manager as its events). */
  attach(supervisor: RunSupervisor): void {
    this.supervisor = supervisor;
  }

  private get runs(): RunSupervisor {
    if (this.supervisor === undefined)
      throw new Error('ApplicationManager: no supervisor attached');
    return this.supervisor;
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** Every application. */
  list(): ApplicationDescription[] {
    return this.o.applications.list().map((a) => this.describeRecord(a));
  }

  /** One application; 404 when unknown. */
  describe(name: string): ApplicationDescription {
    return this.describeRecord(this.require(name));
  }

  /** An application's versions, newest first. */
  versions(name: string): ApplicationVersion[] {
    this.require(name);
    return this.o.applications.versions(name);
  }

  /** An application's operations, newest first. */
  operationsOf(name: string): OperationDescription[] {
    this.require(name);
    return this.o.operations.list(name);
  }

  /** One operation; 404 when unknown. */
  operation(id: string): OperationDescription {
    const op = this.o.operations.get(id);
    if (op === undefined)
      throw notFound(`no operation ${id}`, 'GET /v1/applications/{name}/operations lists them');
    return op;
  }

  /** An application's snapshots, newest first. */
  snapshotsOf(name: string): SnapshotDescription[] {
    this.require(name);
    return this.o.snapshots.list(name).map(publicSnapshot);
  }

  /** One snapshot; 404 when unknown. */
  snapshot(name: string, id: string): SnapshotDescription {
    return publicSnapshot(this.requireSnapshot(name, id));
  }

  /** The log file of an application. */
  logFile(name: string): string {
    this.require(name);
    return this.o.paths.log(name);
  }

  /** What the application's job reports (plan, metrics, checkpoints, exceptions), when it runs. */
  async job(name: string): Promise<HostJobStatus | undefined> {
    this.require(name);
    return this.runs.status(name);
  }

  /** Samples the CPU profile of the thread running subtask `subtask` of the application's job. */
  async profile(
    name: string,
    subtask: number,
    durationMs: number,
    intervalUs: number,
  ): Promise<unknown> {
    this.require(name);
    return this.runs.profile(name, subtask, durationMs, intervalUs);
  }

  // ---- changes --------------------------------------------------------------------------------

  /** Creates an application at version 1, READY. */
  create(req: CreateApplicationRequest, by: string): ApplicationDescription {
    if (this.o.applications.get(req.name) !== undefined) {
      throw new EddyError(`application ${req.name} already exists`, {
        code: 'CONFLICT',
        domain: 'user',
        hint: `update it (PATCH /v1/applications/${req.name}) or choose another name`,
      });
    }
    this.o.artifacts.get(req.artifactId);
    const now = this.o.now();
    this.o.applications.create(req.name, req.artifactId, req.config ?? {}, now);
    const id = this.beginOperation(req.name, 'CREATE', by, 1);
    this.o.operations.end(id, 'SUCCESSFUL', this.o.now());
    return this.describe(req.name);
  }

  /** Starts an application (202: the operation runs on). */
  start(name: string, req: StartApplicationRequest, by: string): OperationAccepted {
    const app = this.require(name);
    checkTransition(name, app.status, 'start');
    const restore: Restore = req.restore ?? { mode: 'RESTORE_FROM_LATEST_SNAPSHOT' };
    const from = this.restoreSnapshot(name, restore);
    checkCapacity(this.capacity(), name, this.settingsOf(name, app.version), 'start');
    const op = this.beginOperation(name, 'START', by, app.version, from?.id);
    // The restore point is recorded before the old checkpoints go: a server killed from here on
    // restarts the application from it, never from state it was not asked to start from.
    this.o.applications.update(
      name,
      { status: 'STARTING', desired: 'RUNNING', job: this.startingJob(from) },
      this.o.now(),
    );
    this.crashes.delete(name);
    this.run(op, async () => {
      const stages = this.stagesOf(op);
      await discardCheckpoints(this.o.paths.checkpoints(name));
      stages.mark('discard-checkpoints');
      await this.launch(name, app.version, from, restore.allowNonRestoredState ?? false, 0, stages);
    });
    return { operationId: op, application: name, status: 'STARTING' };
  }

  /** Stops an application, by default with a snapshot (202). */
  stop(name: string, req: StopApplicationRequest, by: string): OperationAccepted {
    const app = this.require(name);
    const force = req.force === true;
    checkTransition(name, app.status, force ? 'force-stop' : 'stop');
    const withSnapshot = !force && req.snapshot !== false;
    const op = this.beginOperation(name, 'STOP', by, app.version);
    this.o.applications.update(name, { status: 'STOPPING', desired: 'STOPPED' }, this.o.now());
    this.cancelRestart(name);
    this.probation.end(name);
    this.run(
      op,
      async () => {
        if (force) await this.runs.kill(name);
        else if (withSnapshot) {
          const stages = this.stagesOf(op);
          const snap = await this.takeSnapshot(
            name,
            app.version,
            true,
            (dir) => this.runs.stop(name, dir, this.o.savepointTimeoutMs, stages),
            stages,
          );
          this.o.operations.annotate(op, { snapshot: snap });
        } else await this.runs.stop(name, undefined, this.o.savepointTimeoutMs);
        this.monitor.runEnded(name);
        this.o.applications.update(name, { status: 'READY', job: undefined }, this.o.now());
      },
      // A stop that failed leaves the job as it was (the savepoint failed, the job runs on).
      () =>
        this.o.applications.update(
          name,
          { status: this.runs.isRunning(name) ? 'RUNNING' : 'READY' },
          this.o.now(),
        ),
    );
    return { operationId: op, application: name, status: 'STOPPING' };
  }

  /** Takes a snapshot of a running application without stopping it (202). */
  createSnapshot(name: string, by: string): OperationAccepted {
    const app = this.require(name);
    checkTransition(name, app.status, 'snapshot');
    const op = this.beginOperation(name, 'SNAPSHOT', by, app.version);
    this.run(op, async () => {
      const snap = await this.takeSnapshot(name, app.version, false, (dir) =>
        this.runs.snapshot(name, dir, this.o.savepointTimeoutMs),
      );
      this.o.operations.annotate(op, { snapshot: snap });
    });
    return { operationId: op, application: name, status: app.status };
  }

  /** Deletes a snapshot (its files and its row). */
  async deleteSnapshot(name: string, id: string, by: string): Promise<void> {
    const app = this.require(name);
    const snap = this.requireSnapshot(name, id);
    const op = this.beginOperation(name, 'DELETE_SNAPSHOT', by, app.version, id);
    this.o.snapshots.delete(snap.id);
    await rm(this.o.paths.snapshot(name, id), { recursive: true, force: true });
    this.o.operations.end(op, 'SUCCESSFUL', this.o.now());
  }

  /**
   * Records a new version; a running application moves to it through snapshot → stop → start
   * from that snapshot, and goes back to the previous version by itself when the new one does
   * not reach RUNNING (a system rollback).
   */
  update(name: string, req: UpdateApplicationRequest, by: string): OperationAccepted {
    const app = this.require(name);
    checkTransition(name, app.status, 'update');
    const current = this.o.applications.version(name, app.version)!;
    const artifactId = req.artifactId ?? current.artifactId;
    this.o.artifacts.get(artifactId);
    const config: ApplicationConfig = req.config ?? current.config;
    const next = this.o.applications.latestVersion(name) + 1;
    const running = app.status === 'RUNNING';
    if (running) checkCapacity(this.capacity(), name, effectiveSettings(config), 'update');
    this.o.applications.addVersion(name, next, artifactId, config, this.o.now());
    const op = this.beginOperation(name, 'UPDATE', by, next);
    if (!running) {
      this.o.applications.update(name, { version: next, session: config.session }, this.o.now());
      this.o.operations.end(op, 'SUCCESSFUL', this.o.now());
      return { operationId: op, application: name, status: app.status };
    }
    this.o.applications.update(name, { status: 'UPDATING' }, this.o.now());
    this.probation.end(name);
    // The new version's own process starts now, while the old one takes its savepoint: its
    // start-up (Node, Eddy's modules) was a quarter of an update's time. (A session's process
    // is already running.)
    const nextSettings = effectiveSettings(config);
    const spare =
      nextSettings.session === undefined
        ? this.hostSpec(name, nextSettings, artifactId)
        : undefined;
    /** Whether the old version's job has stopped (its savepoint was taken). */
    let oldStopped = false;
    this.run(
      op,
      async () => {
        const stages = this.stagesOf(op);
        if (spare !== undefined) {
          await mkdir(dirname(spare.logFile), { recursive: true });
          this.runs.prepare(spare);
        }
        let snapId: string;
        try {
          snapId = await this.takeSnapshot(
            name,
            app.version,
            true,
            (dir) => this.runs.stop(name, dir, this.o.savepointTimeoutMs, stages),
            stages,
          );
        } catch (e) {
          if (spare !== undefined) await this.runs.dropSpare(spare.id);
          throw e;
        }
        oldStopped = true;
        this.monitor.runEnded(name);
        this.o.operations.annotate(op, { snapshot: snapId });
        const snap = this.o.snapshots.get(name, snapId);
        // Version and restore point change together, before the checkpoints go: a server killed
        // from here on starts the new version from the update's snapshot.
        this.o.applications.update(
          name,
          { version: next, session: config.session, job: this.startingJob(snap) },
          this.o.now(),
        );
        await discardCheckpoints(this.o.paths.checkpoints(name));
        stages.mark('discard-checkpoints');
        try {
          await this.launch(name, next, snap, false, 0, stages);
        } catch (e) {
          if (spare !== undefined) await this.runs.dropSpare(spare.id);
          await this.systemRollback(name, app.version, snap, e);
          throw e;
        }
        const rollback = effectiveSettings(config).systemRollback;
        if (rollback.enabled) {
          this.probation.begin(
            name,
            { previousVersion: app.version, snapshotId: snapId },
            rollback.maxFailures,
            rollback.windowMs,
          );
        }
      },
      (e) => {
        // A savepoint that failed leaves the old version's job as it was: it runs on (as after
        // a stop whose savepoint failed); the update's version stays recorded, unused.
        if (!oldStopped)
          this.o.applications.update(
            name,
            { status: this.runs.isRunning(name) ? 'RUNNING' : 'READY' },
            this.o.now(),
          );
        else this.failUnsettled(name, e);
      },
    );
    return { operationId: op, application: name, status: 'UPDATING' };
  }

  /** Goes back one version, from that version's newest snapshot (202). */
  rollback(name: string, by: string): OperationAccepted {
    const app = this.require(name);
    checkTransition(name, app.status, 'rollback');
    const previous = app.version - 1;
    if (previous < 1 || this.o.applications.version(name, previous) === undefined) {
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
    const op = this.beginOperation(name, 'ROLLBACK', by, previous);
    this.o.applications.update(name, { status: 'ROLLING_BACK' }, this.o.now());
    this.probation.end(name);
    this.run(op, async () => {
      if (running) await this.runs.stop(name, undefined, this.o.savepointTimeoutMs);
      this.monitor.runEnded(name);
      const snap = this.o.snapshots.latestReady(name, previous);
      if (!running) {
        this.o.applications.update(
          name,
          { version: previous, job: undefined, status: 'READY' },
          this.o.now(),
        );
        return;
      }
      this.o.applications.update(
        name,
        { version: previous, job: this.startingJob(snap) },
        this.o.now(),
      );
      this.o.operations.annotate(op, snap === undefined ? {} : { snapshot: snap.id });
      await discardCheckpoints(this.o.paths.checkpoints(name));
      await this.launch(name, previous, snap, true, 0);
    });
    return { operationId: op, application: name, status: 'ROLLING_BACK' };
  }

  /** Deletes a stopped application with its snapshots and files (202). */
  delete(name: string, by: string): OperationAccepted {
    const app = this.require(name);
    checkTransition(name, app.status, 'delete');
    const op = this.beginOperation(name, 'DELETE', by, app.version);
    this.o.applications.update(name, { status: 'DELETING' }, this.o.now());
    this.cancelRestart(name);
    this.probation.end(name);
    this.run(op, async () => {
      this.o.snapshots.deleteAll(name);
      this.o.applications.delete(name);
      await rm(this.o.paths.app(name), { recursive: true, force: true });
    });
    return { operationId: op, application: name, status: 'DELETING' };
  }

  /**
   * After a server (re)start: ends what a dead server left in progress and restarts every
   * application that should run, from its latest checkpoint. An update the dead server was in
   * the middle of ends FAILED; if the new version was already current it is started again, and
   * rolled back by the system if it cannot start.
   *
   * The metadata is set right before anything is awaited (the API may serve reads meanwhile,
   * start-server.ts): operations left in progress have ended, applications to restart are
   * STARTING. Then the dead server's processes are killed, and only then the applications
   * restarted — two processes must never write one checkpoint directory.
   */
  async recover(): Promise<void> {
    const now = this.o.now();
    const interruptedUpdates = new Map<string, OperationDescription>();
    for (const op of this.o.operations.inProgress()) {
      this.o.operations.end(op.id, 'FAILED', now, 'server restarted');
      if (op.type === 'UPDATE') interruptedUpdates.set(op.application, op);
    }
    for (const s of this.o.snapshots.creating()) this.o.snapshots.failed(s.id, 'server restarted');
    const restarts: (() => void)[] = [];
    const deletions: string[] = [];
    const apps = this.o.applications.list();
    for (const app of apps) {
      if (app.status === 'DELETING') {
        deletions.push(app.name);
      } else if (app.desired === 'RUNNING') {
        const update = interruptedUpdates.get(app.name);
        const snap =
          update?.snapshot === undefined
            ? undefined
            : this.o.snapshots.get(app.name, update.snapshot);
        const rollbackTo =
          update !== undefined &&
          update.version === app.version &&
          snap !== undefined &&
          snap.version !== app.version &&
          this.settingsOf(app.name, app.version).systemRollback.enabled
            ? { previousVersion: snap.version, snapshotId: snap.id }
            : undefined;
        this.o.applications.update(app.name, { status: 'STARTING' }, now);
        restarts.push(() =>
          this.restartFromCheckpoint(app.name, 'server restarted', 0, rollbackTo),
        );
      } else if (HOLDING.includes(app.status)) {
        this.o.applications.update(app.name, { status: 'READY', job: undefined }, now);
      }
    }
    await this.runs.killLeftovers();
    for (const app of apps) await removeDiscardedCheckpoints(this.o.paths.app(app.name));
    for (const name of deletions) {
      this.o.snapshots.deleteAll(name);
      this.o.applications.delete(name);
      await rm(this.o.paths.app(name), { recursive: true, force: true });
    }
    for (const restart of restarts) restart();
    this.monitor.start();
  }

  /** Waits for operations in flight (server shutdown). */
  async drain(): Promise<void> {
    this.monitor.stop();
    for (const t of this.restartTimers.values()) clearTimeout(t);
    await Promise.allSettled([...this.inFlight]);
  }

  // ---- supervisor events ------------------------------------------------------------------------

  /** The job ended by itself: finished input, or failed past the engine's restart strategy. */
  jobEnded(
    app: string,
    status: 'FINISHED' | 'CANCELED' | 'FAILED',
    error: string | undefined,
  ): void {
    const a = this.o.applications.get(app);
    // During a stop, update or rollback the job ends because the server asked.
    if (a === undefined || a.status !== 'RUNNING') return;
    this.monitor.runEnded(app);
    if (status === 'FAILED') {
      const reason = error ?? 'the job failed';
      // A new version that fails for good while on probation goes back at once.
      const target = this.probation.failed(app, Number.MAX_SAFE_INTEGER);
      if (target !== undefined) {
        this.rollBackBySystem(app, target, 'JOB_FAILED', reason);
        return;
      }
      void this.runs.release(app);
      this.fail(app, 'JOB_FAILED', reason);
    } else {
      void this.runs.release(app);
      this.o.applications.update(
        app,
        { status: 'READY', desired: 'STOPPED', job: undefined },
        this.o.now(),
      );
    }
  }

  /** The application's process died: restart within the budget, FAILED past it. */
  hostDied(app: string, exit: HostExit): void {
    const a = this.o.applications.get(app);
    // While STARTING, the launch in progress sees the death itself (and calls crashed).
    if (a === undefined || a.status !== 'RUNNING') return;
    this.crashed(app, exit.kind, exit.reason);
  }

  /** The engine restarted the job of `app` after `count` failures (seen by the monitor). */
  private jobFailures(app: string, count: number, lastMessage: string): void {
    const a = this.o.applications.get(app);
    if (a === undefined || a.status !== 'RUNNING') return;
    const target = this.probation.failed(app, count);
    if (target !== undefined) this.rollBackBySystem(app, target, 'JOB_FAILED', lastMessage);
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * A run of `app` failed (its process died, or a restart could not start): a new version on
   * probation past its tolerance rolls back; a process that passed its memory limit stops
   * (restarting it with the same memory would replay the same growth); anything else restarts
   * from the latest checkpoint within the restart strategy's budget, and past it the
   * application is FAILED with the reason.
   */
  private crashed(app: string, kind: string, reason: string): void {
    const a = this.o.applications.get(app);
    if (a === undefined) return;
    this.monitor.runEnded(app);
    const target = this.probation.failed(app);
    if (target !== undefined) {
      this.rollBackBySystem(app, target, kind, reason);
      return;
    }
    if (kind === 'OUT_OF_MEMORY' && a.session === undefined) {
      this.fail(
        app,
        kind,
        `${reason}; the application was stopped (raise resources.units or resources.heapShare, then start it again)`,
      );
      return;
    }
    const budget = restartBudget(this.settingsOf(app, a.version).restartStrategy);
    const nowMs = Date.now();
    const times = (this.crashes.get(app) ?? []).filter((t) => nowMs - t < budget.windowMs);
    if (times.length >= budget.attempts) {
      this.fail(
        app,
        kind,
        `${reason} (restarted ${times.length} times; the restart strategy allows ${budget.attempts})`,
      );
      return;
    }
    times.push(nowMs);
    this.crashes.set(app, times);
    this.o.applications.update(
      app,
      { status: 'STARTING', lastFailure: { at: this.o.now(), reason, kind } },
      this.o.now(),
    );
    const timer = setTimeout(
      () => {
        this.restartTimers.delete(app);
        const now = this.o.applications.get(app);
        // A stop or delete since the crash wins.
        if (now?.status === 'STARTING' && now.desired === 'RUNNING')
          this.restartFromCheckpoint(app, reason, times.length);
      },
      budget.delayMs(times.length - 1),
    );
    this.restartTimers.set(app, timer);
  }

  private restartFromCheckpoint(
    name: string,
    why: string,
    restarts = 0,
    rollbackTo?: ProbationTarget,
  ): void {
    const app = this.o.applications.get(name);
    if (app === undefined) return;
    const op = this.beginOperation(name, 'RECOVER', 'system', app.version);
    this.o.applications.update(name, { status: 'STARTING' }, this.o.now());
    const from =
      app.job?.restoredFrom === undefined
        ? undefined
        : this.o.snapshots.get(name, app.job.restoredFrom);
    this.run(
      op,
      () => this.launch(name, app.version, from, true, restarts),
      (e) => {
        const now = this.o.applications.get(name);
        // A force stop during the restart ends it; nothing to do.
        if (now === undefined || now.status !== 'STARTING') return;
        if (rollbackTo !== undefined) {
          const snap =
            rollbackTo.snapshotId === undefined
              ? undefined
              : this.o.snapshots.get(name, rollbackTo.snapshotId);
          return this.systemRollback(name, rollbackTo.previousVersion, snap, e);
        }
        this.crashed(name, 'CRASH', `restart after "${why}" failed: ${message(e)}`);
      },
    );
  }

  /** The job record of a run about to start from `from` (kept while it starts: recovery reads it). */
  private startingJob(from: SnapshotRecord | undefined): JobRecord {
    return { status: 'STARTING', startedAt: this.o.now(), restoredFrom: from?.id, restarts: 0 };
  }

  /** Starts the job of `version`; resumes from its checkpoints, else from `from`. */
  private async launch(
    name: string,
    version: number,
    from: SnapshotRecord | undefined,
    allowNonRestoredState: boolean,
    restarts: number,
    stages?: StageTimer,
  ): Promise<void> {
    const v = this.o.applications.version(name, version)!;
    const s = effectiveSettings(v.config);
    const extracted = await this.o.artifacts.extract(v.artifactId);
    stages?.mark('artifact');
    const spec = this.hostSpec(name, s, v.artifactId);
    await mkdir(dirname(spec.logFile), { recursive: true });
    const checkpointDir = this.o.paths.checkpoints(name);
    const options = environmentOptionsOf(s, {
      checkpointDir,
      stateDir: join(this.o.paths.work(name), 'state'),
      // The snapshot only when the directory holds nothing newer (a start, an update and a
      // rollback discard it first; a restart resumes from it).
      fromSavepoint: hasResumableCheckpoint(checkpointDir) ? undefined : from?.path,
      allowNonRestoredState,
    });
    try {
      await this.runs.start(
        name,
        spec,
        extracted.entryPath,
        options,
        s.systemRollback.startTimeoutMs,
        stages,
      );
    } catch (e) {
      await this.runs.kill(name).catch(() => {});
      throw e;
    }
    const usage = this.runs.usage(name);
    this.o.applications.update(
      name,
      {
        status: 'RUNNING',
        job: {
          status: 'RUNNING',
          startedAt: this.o.now(),
          restoredFrom: from?.id,
          restarts,
          pid: usage?.pid,
        },
      },
      this.o.now(),
    );
  }

  /**
   * The process that runs `name` with settings `s` and artifact `artifactId`: its own (which
   * starts a slot worker per parallel subtask before the job, see warm-slot-workers.ts), or its
   * session's.
   */
  private hostSpec(name: string, s: EffectiveSettings, artifactId: string): HostSpec {
    const { memoryMb, heapMb } =
      s.session === undefined
        ? memoryOf(s.units, s.heapShare, this.o.unitMemoryMb)
        : this.sessionMemory(s.session);
    return s.session === undefined
      ? {
          id: `app-${name}`,
          cwd: this.o.paths.work(name),
          logFile: this.o.paths.log(name),
          memoryMb,
          heapMb,
          // (A job of parallelism 1 runs on the host's thread: environmentOptionsOf.)
          warmSlots:
            s.parallelism > 1
              ? {
                  count: s.parallelism,
                  typescript: /\.[cm]?tsx?$/.test(this.o.artifacts.get(artifactId).manifest.entry),
                }
              : undefined,
        }
      : {
          id: `session-${s.session}`,
          cwd: join(this.o.paths.root, 'sessions', s.session),
          logFile: join(this.o.paths.root, 'sessions', s.session, 'session.log'),
          memoryMb,
          heapMb,
          appLogFile: (app) => this.o.paths.log(app),
        };
  }

  /**
   * The memory of a session's process: the sum of what its applications' units give them (one
   * process, one budget — an application that joins raises the watchdog's limit; the V8 heap
   * limit is fixed when the process starts).
   */
  private sessionMemory(session: string): { memoryMb: number; heapMb: number } {
    let memoryMb = 0;
    let heapMb = 0;
    for (const a of this.o.applications.list()) {
      if (a.session !== session) continue;
      const s = this.settingsOf(a.name, a.version);
      const m = memoryOf(s.units, s.heapShare, this.o.unitMemoryMb);
      memoryMb += m.memoryMb;
      heapMb += m.heapMb;
    }
    return { memoryMb: Math.max(memoryMb, 64), heapMb: Math.max(heapMb, 32) };
  }

  /** Rolls a running new version on probation back by the system (its failures passed the limit). */
  private rollBackBySystem(
    name: string,
    target: ProbationTarget,
    kind: string,
    reason: string,
  ): void {
    this.cancelRestart(name);
    this.monitor.runEnded(name);
    this.o.applications.update(name, { status: 'ROLLING_BACK' }, this.o.now());
    const snap =
      target.snapshotId === undefined ? undefined : this.o.snapshots.get(name, target.snapshotId);
    const done = (async () => {
      await this.runs.kill(name);
      await this.systemRollback(
        name,
        target.previousVersion,
        snap,
        new Error(`version failed after the update: ${reason}`),
        kind,
      );
    })().catch(() => {});
    this.track(done);
  }

  private async systemRollback(
    name: string,
    previous: number,
    snap: SnapshotRecord | undefined,
    cause: unknown,
    kind = 'START_FAILED',
  ): Promise<void> {
    const s = this.settingsOf(name, this.require(name).version);
    if (!s.systemRollback.enabled) return;
    this.probation.end(name);
    const op = this.beginOperation(name, 'SYSTEM_ROLLBACK', 'system', previous, snap?.id);
    // Version and restore point change together, before the checkpoints go (see update).
    this.o.applications.update(
      name,
      {
        status: 'ROLLING_BACK',
        version: previous,
        job: this.startingJob(snap),
        lastFailure: failure(kind, cause, this.o.now()),
      },
      this.o.now(),
    );
    try {
      await discardCheckpoints(this.o.paths.checkpoints(name));
      await this.launch(name, previous, snap, false, 0);
      this.o.operations.end(op, 'SUCCESSFUL', this.o.now());
    } catch (e) {
      this.o.operations.end(op, 'FAILED', this.o.now(), message(e), errorOf(e));
      this.fail(name, 'START_FAILED', message(e));
    }
  }

  private async takeSnapshot(
    name: string,
    version: number,
    system: boolean,
    take: (dir: string) => Promise<string | undefined>,
    stages?: StageTimer,
  ): Promise<string> {
    const id = `snap-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    this.o.snapshots.begin({ id, application: name, version, system, now: this.o.now() });
    try {
      const path = await take(this.o.paths.snapshot(name, id));
      if (path === undefined) throw new Error('the job ended before its savepoint was written');
      this.o.snapshots.ready(id, path, await sizeOf(this.o.paths.snapshot(name, id)));
      stages?.mark('snapshot-record');
      return id;
    } catch (e) {
      this.o.snapshots.failed(id, message(e));
      throw e;
    }
  }

  /**
   * Runs an operation's work and ends its row; `onFail` restores the application's status (it
   * may go on, e.g. into a system rollback, which the server's shutdown also waits for).
   */
  private run(
    op: string,
    work: () => Promise<void>,
    onFail?: (e: unknown) => void | Promise<void>,
  ): void {
    const done = work().then(
      () => this.o.operations.end(op, 'SUCCESSFUL', this.o.now()),
      async (e: unknown) => {
        this.o.operations.end(op, 'FAILED', this.o.now(), message(e), errorOf(e));
        if (onFail !== undefined) await onFail(e);
        else this.failUnsettled(this.operation(op).application, e);
      },
    );
    this.track(done);
  }

  /** After a failed operation: the application is FAILED unless it settled (RUNNING, READY). */
  private failUnsettled(name: string, e: unknown): void {
    const app = this.o.applications.get(name);
    if (
      app !== undefined &&
      app.status !== 'RUNNING' &&
      app.status !== 'READY' &&
      app.status !== 'FAILED'
    )
      this.fail(app.name, 'START_FAILED', message(e));
  }

  private track(done: Promise<void>): void {
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private fail(name: string, kind: string, reason: string): void {
    this.o.applications.update(
      name,
      { status: 'FAILED', job: undefined, lastFailure: { at: this.o.now(), reason, kind } },
      this.o.now(),
    );
  }

  private beginOperation(
    name: string,
    type: OperationType,
    by: string,
    version: number,
    snapshot?: string,
  ): string {
    const id = `op-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    this.o.operations.begin({ id, application: name, type, by, now: this.o.now(), version });
    if (snapshot !== undefined) this.o.operations.annotate(id, { snapshot });
    return id;
  }

  /** A timer whose stages go into operation `op`'s record. */
  private stagesOf(op: string): StageTimer {
    return new StageTimer((stage) => this.o.operations.addStage(op, stage));
  }

  private cancelRestart(name: string): void {
    const t = this.restartTimers.get(name);
    if (t !== undefined) clearTimeout(t);
    this.restartTimers.delete(name);
  }

  private restoreSnapshot(name: string, restore: Restore): SnapshotRecord | undefined {
    switch (restore.mode) {
      case 'SKIP_RESTORE':
        return undefined;
      case 'RESTORE_FROM_LATEST_SNAPSHOT':
        return this.o.snapshots.latestReady(name);
      case 'RESTORE_FROM_CUSTOM_SNAPSHOT': {
        if (restore.snapshot === undefined) {
          throw new EddyError('restore.snapshot is required with RESTORE_FROM_CUSTOM_SNAPSHOT', {
            code: 'BAD_REQUEST',
            domain: 'user',
            hint: `name one of GET /v1/applications/${name}/snapshots`,
          });
        }
        const snap = this.requireSnapshot(name, restore.snapshot);
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

  private capacity(): CapacityView {
    return {
      applications: this.o.applications,
      settingsOf: (name, version) => this.settingsOf(name, version),
      capacityUnits: this.o.capacityUnits,
      unitMemoryMb: this.o.unitMemoryMb,
    };
  }

  private settingsOf(name: string, version: number): EffectiveSettings {
    return effectiveSettings(this.o.applications.version(name, version)?.config ?? {});
  }

  private require(name: string): ApplicationRecord {
    const a = this.o.applications.get(name);
    if (a === undefined)
      throw notFound(`no application ${name}`, 'GET /v1/applications lists the applications');
    return a;
  }

  private requireSnapshot(name: string, id: string): SnapshotRecord {
    this.require(name);
    const s = this.o.snapshots.get(name, id);
    if (s === undefined)
      throw notFound(
        `application ${name} has no snapshot ${id}`,
        `GET /v1/applications/${name}/snapshots lists them`,
      );
    return s;
  }

  private describeRecord(a: ApplicationRecord): ApplicationDescription {
    const v = this.o.applications.version(a.name, a.version)!;
    const s = effectiveSettings(v.config);
    const { memoryMb, heapMb } = memoryOf(s.units, s.heapShare, this.o.unitMemoryMb);
    const live = a.status === 'RUNNING' ? this.supervisor?.usage(a.name) : undefined;
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
      usage: this.monitor.usage(a.name) ?? {
        ...a.usage,
        ...(live?.stats !== undefined && { rssBytes: live.stats.rssBytes }),
      },
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }
}
