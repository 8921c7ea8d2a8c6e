/**
 * Admission by resource units: a start or an update that would hold more units than the server
 * offers is refused (409 OVERCOMMITTED), saying what is free and who holds the rest.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';
import type { ApplicationStatus } from '../../protocol/application.ts';
import type { ApplicationRepository } from '../store/application-repository.ts';
import type { EffectiveSettings } from './application-settings.ts';

/** Statuses in which an application holds its resources. */
export const HOLDING: readonly ApplicationStatus[] = [
  'STARTING',
  'RUNNING',
  'UPDATING',
  'STOPPING',
  'ROLLING_BACK',
  'AUTOSCALING',
];

/** What the check reads. */
export interface CapacityView {
  readonly applications: ApplicationRepository;
  readonly settingsOf: (name: string, version: number) => EffectiveSettings;
  /** Resource units the machine offers. */
  readonly capacityUnits: number;
  /** Memory of one unit, MiB. */
  readonly unitMemoryMb: number;
}

/** Throws OVERCOMMITTED when `name` with settings `s` does not fit beside the others. */
export function checkCapacity(
  v: CapacityView,
  name: string,
  s: EffectiveSettings,
  action: 'start' | 'update',
): void {
  let used = 0;
  const holders: string[] = [];
  for (const a of v.applications.list()) {
    if (a.name === name || !HOLDING.includes(a.status)) continue;
    const units = v.settingsOf(a.name, a.version).units;
    used += units;
    holders.push(`${a.name} ${units}`);
  }
  const free = Math.max(0, v.capacityUnits - used);
  if (s.units <= free) return;
  const mb = (units: number) => Math.round(units * v.unitMemoryMb);
  throw new EddyError(
    `${action === 'start' ? 'starting' : 'updating'} ${name} needs ${s.units} resource units ` +
      `(${s.units} cores, ${mb(s.units)} MiB); ${free} of ${v.capacityUnits} units are free ` +
      `(${free} cores, ${mb(free)} MiB)` +
      (holders.length > 0 ? `; in use: ${holders.join(', ')}` : ''),
    {
      code: 'OVERCOMMITTED',
      domain: 'user',
      hint: 'stop another application, lower resources.units (or raise parallelismPerUnit), or start the server with more --capacity-units',
    },
  );
}
