/**
 * Whether an application's checkpoint directory holds something a job resumes from: the
 * `_completed` record (it also names a stop-with-savepoint) or a checkpoint with its `_metadata`.
 * The server then starts the job without `fromSavepoint` — which would win over the directory
 * and rewind the job to the snapshot its run started from, committing again everything the
 * exactly-once sinks committed since — and lets the engine choose (or refuse, naming what is
 * damaged). Cheap: it reads directory entries, never state.
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_PREFIX } from '../../runtime/checkpoint/checkpoint-coordinator.ts';
import { METADATA_FILE } from '../../runtime/checkpoint/checkpoint-store.ts';
import { COMPLETED_FILE } from '../../runtime/checkpoint/completed-checkpoint-record.ts';

/** Whether a job started on `dir` resumes from it (see the module comment). */
export function hasResumableCheckpoint(dir: string): boolean {
  if (existsSync(join(dir, COMPLETED_FILE))) return true;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  return entries.some(
    (e) => e.startsWith(CHECKPOINT_PREFIX) && existsSync(join(dir, e, METADATA_FILE)),
  );
}
