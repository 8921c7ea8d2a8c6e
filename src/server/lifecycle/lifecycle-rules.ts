/**
 * The application state machine: which action each status allows. Everything else answers 409
 * naming the current status (see docs/guides/platform.md for the diagram).
 *
 * @module
 */
import type { ApplicationStatus } from '../../protocol/application.ts';
import { EddyError } from '../../errors/eddy-error.ts';

/** What a user may ask of an application. */
export type LifecycleAction =
  'start' | 'stop' | 'force-stop' | 'update' | 'rollback' | 'snapshot' | 'delete';

/** The statuses each action is allowed from. */
export const ALLOWED_FROM: Readonly<Record<LifecycleAction, readonly ApplicationStatus[]>> = {
  start: ['READY', 'FAILED'],
  stop: ['RUNNING'],
  // A force stop also ends a start or an update that hangs.
  'force-stop': ['RUNNING', 'STARTING', 'UPDATING', 'ROLLING_BACK', 'STOPPING', 'AUTOSCALING'],
  // Updating a stopped application only records the new version.
  update: ['READY', 'RUNNING', 'FAILED'],
  rollback: ['READY', 'RUNNING', 'FAILED'],
  snapshot: ['RUNNING'],
  delete: ['READY', 'FAILED'],
};

/** Throws a 409 unless `action` is allowed in `status`. */
export function checkTransition(
  name: string,
  status: ApplicationStatus,
  action: LifecycleAction,
): void {
  const allowed = ALLOWED_FROM[action];
  if (allowed.includes(status)) return;
  throw new EddyError(
    `application ${name} is ${status}: ${action} is allowed only when it is ${allowed.join(' or ')}`,
    {
      code: 'CONFLICT',
      domain: 'user',
      hint:
        status === 'RUNNING' && action === 'delete'
          ? `stop it first: eddy apps stop ${name}`
          : status === 'READY' && (action === 'stop' || action === 'snapshot')
            ? `start it first: eddy apps start ${name}`
            : 'wait for the operation in progress to end (eddy operations list ' + name + ')',
    },
  );
}
