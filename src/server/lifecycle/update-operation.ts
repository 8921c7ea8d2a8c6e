/**
 * The update of an application to a new version: the version is recorded; a running application
 * moves to it through snapshot → stop → start from that snapshot, and goes back to the previous
 * version by itself when the new one does not reach RUNNING (a system rollback). The new
 * version's own process starts while the old one takes its savepoint (a "spare").
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApplicationConfig, UpdateApplicationRequest } from '../../protocol/application.ts';
import type { OperationAccepted } from '../../protocol/operation.ts';
import { effectiveSettings } from './application-settings.ts';
import { checkCapacity } from './capacity-check.ts';
import { discardCheckpoints } from './checkpoint-directories.ts';
import type { JobLauncher } from './job-launcher.ts';
import type { LifecycleContext } from './lifecycle-context.ts';
import { checkTransition } from './lifecycle-rules.ts';
import type { SystemRollback } from './system-rollback.ts';

/**
 * Records a new version; a running application moves to it through snapshot → stop → start
 * from that snapshot, and goes back to the previous version by itself when the new one does
 * not reach RUNNING (a system rollback).
 */
export function updateApplication(
  c: LifecycleContext,
  launcher: JobLauncher,
  rollbacks: SystemRollback,
  name: string,
  req: UpdateApplicationRequest,
  by: string,
): OperationAccepted {
  const app = c.require(name);
  checkTransition(name, app.status, 'update');
  const current = c.o.applications.version(name, app.version)!;
  const artifactId = req.artifactId ?? current.artifactId;
  c.o.artifacts.get(artifactId);
  const config: ApplicationConfig = req.config ?? current.config;
  const next = c.o.applications.latestVersion(name) + 1;
  const running = app.status === 'RUNNING';
  if (running) checkCapacity(c.capacity(), name, effectiveSettings(config), 'update');
  c.o.applications.addVersion(name, next, artifactId, config, c.o.now());
  const op = c.beginOperation(name, 'UPDATE', by, next);
  if (!running) {
    c.o.applications.update(name, { version: next, session: config.session }, c.o.now());
    c.o.operations.end(op, 'SUCCESSFUL', c.o.now());
    return { operationId: op, application: name, status: app.status };
  }
  c.o.applications.update(name, { status: 'UPDATING' }, c.o.now());
  c.probation.end(name);
  // The new version's own process starts now, while the old one takes its savepoint: its
  // start-up (Node, Eddy's modules) was a quarter of an update's time. (A session's process
  // is already running.)
  const nextSettings = effectiveSettings(config);
  const spare =
    nextSettings.session === undefined
      ? launcher.hostSpec(name, nextSettings, artifactId)
      : undefined;
  /** Whether the old version's job has stopped (its savepoint was taken). */
  let oldStopped = false;
  c.run(
    op,
    async () => {
      const stages = c.stagesOf(op);
      if (spare !== undefined) {
        await mkdir(dirname(spare.logFile), { recursive: true });
        c.runs.prepare(spare);
      }
      let snapId: string;
      try {
        snapId = await c.takeSnapshot(
          name,
          app.version,
          true,
          (dir) => c.runs.stop(name, dir, c.o.savepointTimeoutMs, stages),
          stages,
        );
      } catch (e) {
        if (spare !== undefined) await c.runs.dropSpare(spare.id);
        throw e;
      }
      oldStopped = true;
      c.monitor.runEnded(name);
      c.o.operations.annotate(op, { snapshot: snapId });
      const snap = c.o.snapshots.get(name, snapId);
      // Version and restore point change together, before the checkpoints go: a server killed
      // from here on starts the new version from the update's snapshot.
      c.o.applications.update(
        name,
        { version: next, session: config.session, job: c.startingJob(snap) },
        c.o.now(),
      );
      await discardCheckpoints(c.o.paths.checkpoints(name));
      stages.mark('discard-checkpoints');
      try {
        await launcher.launch(name, next, snap, false, 0, stages);
      } catch (e) {
        if (spare !== undefined) await c.runs.dropSpare(spare.id);
        // A server shutting down is no failure of the version: the next server starts it.
        if (!c.runs.shuttingDown) await rollbacks.toPrevious(name, app.version, snap, e);
        throw e;
      }
      const rollback = effectiveSettings(config).systemRollback;
      if (rollback.enabled) {
        c.probation.begin(
          name,
          { previousVersion: app.version, snapshotId: snapId },
          rollback.maxFailures,
          rollback.windowMs,
        );
      }
    },
    async (e) => {
      // The server is shutting down: the next one recovers the application (server-recovery.ts).
      if (c.runs.shuttingDown) return;
      if (oldStopped) {
        c.failUnsettled(name, e);
        return;
      }
      // The savepoint failed before the old version's job stopped. The engine may end that job
      // all the same (a stop-with-savepoint whose savepoint failed cancels it): an application
      // whose job runs on is RUNNING again; one whose job ended is READY and its process goes
      // (its end, if reported during the update, was not acted on: see jobEnded).
      const job = await c.runs.status(name);
      if (job !== undefined && (job.status === 'RUNNING' || job.status === 'STARTING')) {
        c.o.applications.update(name, { status: 'RUNNING' }, c.o.now());
        return;
      }
      await c.runs.release(name);
      c.monitor.runEnded(name);
      c.o.applications.update(
        name,
        { status: 'READY', desired: 'STOPPED', job: undefined },
        c.o.now(),
      );
    },
  );
  return { operationId: op, application: name, status: 'UPDATING' };
}
