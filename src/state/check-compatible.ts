import { userError } from '../errors/eddy-error.ts';
import type { StateSnapshot } from './keyed-state-backend.ts';
import type { StateDescriptor } from '../core/state-descriptor.ts';

/** Refuses a snapshot whose kind or version does not fit the declared descriptor. */
export function checkCompatible(
  operatorName: string,
  descriptor: StateDescriptor,
  snap: StateSnapshot,
): void {
  if (snap.kind !== descriptor.kind) {
    throw userError(
      'RESTORE_FAILED',
      `state "${snap.name}" was saved as ${snap.kind} state but is now declared as ${descriptor.kind} state`,
      {
        operator: { name: operatorName },
        hint: 'rename the new state, or start without the old snapshot (--allow-non-restored-state does not cover kind changes)',
      },
    );
  }
  const target = descriptor.options.version ?? 1;
  if (snap.version > target) {
    throw userError(
      'RESTORE_FAILED',
      `state "${snap.name}" was saved with schema version ${snap.version}, newer than the declared version ${target}`,
      {
        operator: { name: operatorName },
        hint: 'restore with the job version that wrote the snapshot, or raise the descriptor version',
      },
    );
  }
  if (snap.version < target && descriptor.options.migrate === undefined) {
    throw userError(
      'RESTORE_FAILED',
      `state "${snap.name}" was saved with schema version ${snap.version} but is declared as version ${target} without a migrate function`,
      {
        operator: { name: operatorName },
        hint: 'add migrate(value, fromVersion) to the state descriptor options',
      },
    );
  }
}
