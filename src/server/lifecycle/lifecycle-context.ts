/**
 * What the lifecycle's operations share: the server's stores and paths, the supervisor of the
 * application processes, the usage monitor, the update probation, and the bookkeeping of
 * operations (each call that changes an application becomes an operation row, IN_PROGRESS →
 * SUCCESSFUL | FAILED, that a server shutdown waits for). The operations themselves live in
 * their own files (application-manager.ts, update-operation.ts, server-recovery.ts …).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { OperationDescription, OperationType } from '../../protocol/operation.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { ServerPaths } from '../server-paths.ts';
import type {
  ApplicationRecord,
  ApplicationRepository,
  JobRecord,
} from '../store/application-repository.ts';
import type { OperationRepository } from '../store/operation-repository.ts';
import type { SnapshotRecord, SnapshotRepository } from '../store/snapshot-repository.ts';
import type { RunSupervisor } from '../supervisor/run-supervisor.ts';
import { effectiveSettings, type EffectiveSettings } from './application-settings.ts';
import { ApplicationMonitor, type MonitorEvents } from './application-monitor.ts';
import type { CapacityView } from './capacity-check.ts';
import { errorOf, message, notFound, sizeOf } from './manager-records.ts';
import { StageTimer } from './stage-timer.ts';
import { UpdateProbation } from './update-probation.ts';

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

/** The state and helpers every lifecycle operation uses. */
export class LifecycleContext {
  private supervisor: RunSupervisor | undefined;
  /** Operations still running, so a server shutdown can wait for them. */
  readonly inFlight = new Set<Promise<void>>();
  readonly probation = new UpdateProbation();
  readonly monitor: ApplicationMonitor;

  constructor(
    readonly o: ApplicationManagerOptions,
    events: MonitorEvents,
  ) {
    this.monitor = new ApplicationMonitor(
      o.applications,
      () => this.runs,
      events,
      o.now,
      o.monitorIntervalMs ?? 1000,
    );
  }

  /** Connects the supervisor. */
  attach(supervisor: RunSupervisor): void {
    this.supervisor = supervisor;
  }

  /** The supervisor, once attached. */
  get attached(): RunSupervisor | undefined {
    return this.supervisor;
  }

  /** The supervisor (throws before {@link LifecycleContext.attach}). */
  get runs(): RunSupervisor {
    if (this.supervisor === undefined)
      throw new Error('ApplicationManager: no supervisor attached');
    return this.supervisor;
  }

  /** One operation; 404 when unknown. */
  operation(id: string): OperationDescription {
    const op = this.o.operations.get(id);
    if (op === undefined)
      throw notFound(`no operation ${id}`, 'GET /v1/applications/{name}/operations lists them');
    return op;
  }

  /**
   * Runs an operation's work and ends its row; `onFail` restores the application's status (it
   * may go on, e.g. into a system rollback, which the server's shutdown also waits for).
   */
  run(op: string, work: () => Promise<void>, onFail?: (e: unknown) => void | Promise<void>): void {
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
  failUnsettled(name: string, e: unknown): void {
    const app = this.o.applications.get(name);
    if (
      app !== undefined &&
      app.status !== 'RUNNING' &&
      app.status !== 'READY' &&
      app.status !== 'FAILED'
    )
      this.fail(app.name, 'START_FAILED', message(e));
  }

  track(done: Promise<void>): void {
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  fail(name: string, kind: string, reason: string): void {
    this.o.applications.update(
      name,
      { status: 'FAILED', job: undefined, lastFailure: { at: this.o.now(), reason, kind } },
      this.o.now(),
    );
  }

  beginOperation(
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
  stagesOf(op: string): StageTimer {
    return new StageTimer((stage) => this.o.operations.addStage(op, stage));
  }

  settingsOf(name: string, version: number): EffectiveSettings {
    return effectiveSettings(this.o.applications.version(name, version)?.config ?? {});
  }

  require(name: string): ApplicationRecord {
    const a = this.o.applications.get(name);
    if (a === undefined)
      throw notFound(`no application ${name}`, 'GET /v1/applications lists the applications');
    return a;
  }

  requireSnapshot(name: string, id: string): SnapshotRecord {
    this.require(name);
    const s = this.o.snapshots.get(name, id);
    if (s === undefined)
      throw notFound(
        `application ${name} has no snapshot ${id}`,
        `GET /v1/applications/${name}/snapshots lists them`,
      );
    return s;
  }

  /** The job record of a run about to start from `from` (kept while it starts: recovery reads it). */
  startingJob(from: SnapshotRecord | undefined): JobRecord {
    return { status: 'STARTING', startedAt: this.o.now(), restoredFrom: from?.id, restarts: 0 };
  }

  async takeSnapshot(
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

  capacity(): CapacityView {
    return {
      applications: this.o.applications,
      settingsOf: (name, version) => this.settingsOf(name, version),
      capacityUnits: this.o.capacityUnits,
      unitMemoryMb: this.o.unitMemoryMb,
    };
  }
}
