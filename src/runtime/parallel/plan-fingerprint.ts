/**
 * A fingerprint of a plan, to check that a worker thread rebuilt the same job as the coordinator
 * when it re-imported the job file.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Plan } from '../../plan/plan.ts';

/** SHA-256 (hex, first 16 characters) of the plan's JSON form. */
export function planFingerprint(plan: Plan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}
