/**
 * Recovery after a server (re)start.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import type { OperationDescription } from '../../protocol/operation.ts';
import { HOLDING } from './capacity-check.ts';
import { removeDiscardedCheckpoints } from './checkpoint-directories.ts';
import type { LifecycleContext } from './lifecycle-context.ts';
import type { RestartPolicy } from './restart-policy.ts';

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
export async function recoverApplications(
  c: LifecycleContext,
  restarts: RestartPolicy,
): Promise<void> {
  const now = c.o.now();
  const interruptedUpdates = new Map<string, OperationDescription>();
  for (const op of c.o.operations.inProgress()) {
    c.o.operations.end(op.id, 'FAILED', now, 'server restarted');
    if (op.type === 'UPDATE') interruptedUpdates.set(op.application, op);
  }
  for (const s of c.o.snapshots.creating()) c.o.snapshots.failed(s.id, 'server restarted');
  const toRestart: (() => void)[] = [];
  const deletions: string[] = [];
  const apps = c.o.applications.list();
  for (const app of apps) {
    if (app.status === 'DELETING') {
      deletions.push(app.name);
    } else if (app.desired === 'RUNNING') {
      const update = interruptedUpdates.get(app.name);
      const snap =
        update?.snapshot === undefined ? undefined : c.o.snapshots.get(app.name, update.snapshot);
      const rollbackTo =
        update !== undefined &&
        update.version === app.version &&
        snap !== undefined &&
        snap.version !== app.version &&
        c.settingsOf(app.name, app.version).systemRollback.enabled
          ? { previousVersion: snap.version, snapshotId: snap.id }
          : undefined;
      c.o.applications.update(app.name, { status: 'STARTING' }, now);
      toRestart.push(() =>
        restarts.restartFromCheckpoint(app.name, 'server restarted', 0, rollbackTo),
      );
    } else if (HOLDING.includes(app.status)) {
      c.o.applications.update(app.name, { status: 'READY', job: undefined }, now);
    }
  }
  await c.runs.killLeftovers();
  for (const app of apps) await removeDiscardedCheckpoints(c.o.paths.app(app.name));
  for (const name of deletions) {
    c.o.snapshots.deleteAll(name);
    c.o.applications.delete(name);
    await rm(c.o.paths.app(name), { recursive: true, force: true });
  }
  for (const restart of toRestart) restart();
  c.monitor.start();
}
