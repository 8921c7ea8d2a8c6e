/**
 * Which checkpoint a job resumes from, or why it must not resume at all.
 *
 * The newest checkpoint that reads back intact is the one to restore, with one exception that
 * matters more than availability: a checkpoint that *completed* (its `_metadata` was written, or
 * the `_completed` record names it) let the exactly-once sinks commit the output up to it. Falling
 * back past it to an older one would replay that output and commit it a second time, so the job
 * refuses to start instead, names what is wrong, and tells how to accept the older checkpoint
 * explicitly. For the same reason a directory whose checkpoints are all unreadable is never a
 * fresh start. Checkpoints that never completed (no `_metadata`: the run writing them ended
 * first) are skipped silently — nothing was committed from them.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';
import { CHECKPOINT_PREFIX } from './checkpoint-coordinator.ts';
import { listCheckpointIds, loadCheckpoint, type LoadedCheckpoint } from './checkpoint-loader.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';
import {
  COMPLETED_FILE,
  readCompletedRecord,
  type CompletedCheckpointRecord,
} from './completed-checkpoint-record.ts';
import { openCheckpointLocation, type CheckpointStorageOptions } from './open-checkpoint-store.ts';

/** A checkpoint that was passed over, and why. */
export interface SkippedCheckpoint {
  readonly id: number;
  readonly path: string;
  /** Whether it had completed (so its output may have been committed). */
  readonly completed: boolean;
  readonly reason: string;
}

/** What a job started on this checkpoint directory would do. */
export type RestoreChoice =
  | {
      readonly kind: 'fresh';
      /** Incomplete checkpoints left by runs that ended while writing them. */
      readonly skipped: readonly SkippedCheckpoint[];
    }
  | {
      readonly kind: 'restore';
      readonly checkpoint: LoadedCheckpoint;
      readonly skipped: readonly SkippedCheckpoint[];
    }
  | {
      readonly kind: 'refuse';
      /** `RESTORE_FAILED`, naming every unreadable completed checkpoint and what to do. */
      readonly error: EddyError;
      readonly skipped: readonly SkippedCheckpoint[];
    };

/** Options of {@link chooseRestoreCheckpoint}. */
export interface ChooseOptions {
  /**
   * Consider only checkpoints with a larger id (in-process restarts look only at the checkpoints
   * of their own execution; without one, they go back to where it started).
   */
  readonly after?: number;
  /** Object storage settings, for a stop-with-savepoint the record points to. */
  readonly storage?: CheckpointStorageOptions;
}

/** Decides where a job on `store` resumes (see the module comment). */
export async function chooseRestoreCheckpoint(
  store: CheckpointStore,
  options: ChooseOptions = {},
): Promise<RestoreChoice> {
  const after = options.after ?? 0;
  let record: CompletedCheckpointRecord | undefined;
  let recordProblem: string | undefined;
  try {
    record = await readCompletedRecord(store);
  } catch (e) {
    recordProblem = (e as Error).message;
  }
  if (record !== undefined && record.checkpointId <= after) record = undefined;
  const ids = (await listCheckpointIds(store)).filter((id) => id > after);
  const skipped: SkippedCheckpoint[] = [];

  // A stop-with-savepoint commits too, and lives outside the directory: when it is the newest
  // commit, it is where the job left off.
  const newestId = ids.at(-1) ?? 0;
  if (record !== undefined && record.savepoint && record.checkpointId > newestId) {
    try {
      const at = await openCheckpointLocation(record.path, options.storage);
      try {
        const sp = await loadCheckpoint(at.store, at.location);
        return { kind: 'restore', checkpoint: sp, skipped };
      } finally {
        await at.store.close();
      }
    } catch (e) {
      skipped.push({
        id: record.checkpointId,
        path: record.path,
        completed: true,
        reason: `savepoint taken when the job last stopped: ${(e as Error).message}`,
      });
    }
  } else if (record !== undefined && !record.savepoint && !ids.includes(record.checkpointId)) {
    skipped.push({
      id: record.checkpointId,
      path: record.path,
      completed: true,
      reason: `the directory is missing (${store.pathOf(COMPLETED_FILE)} records that it completed)`,
    });
  }

  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i] as number;
    const location = `${CHECKPOINT_PREFIX}${id}`;
    try {
      const checkpoint = await loadCheckpoint(store, location);
      if (skipped.some((s) => s.completed)) {
        return { kind: 'refuse', error: refusal(store, skipped, checkpoint), skipped };
      }
      return { kind: 'restore', checkpoint, skipped };
    } catch (e) {
      const completed =
        (record !== undefined && id <= record.checkpointId) ||
        (await store.read(location, METADATA_FILE).then(
          () => true,
          () => false,
        ));
      skipped.push({ id, path: store.pathOf(location), completed, reason: (e as Error).message });
    }
  }
  if (skipped.some((s) => s.completed)) {
    return { kind: 'refuse', error: refusal(store, skipped, undefined), skipped };
  }
  if (recordProblem !== undefined && ids.length > 0) {
    // Without the record, an unreadable checkpoint's completion cannot be ruled out.
    skipped.push({
      id: 0,
      path: store.pathOf(COMPLETED_FILE),
      completed: true,
      reason: recordProblem,
    });
    return { kind: 'refuse', error: refusal(store, skipped, undefined), skipped };
  }
  return { kind: 'fresh', skipped };
}

function refusal(
  store: CheckpointStore,
  skipped: readonly SkippedCheckpoint[],
  older: LoadedCheckpoint | undefined,
): EddyError {
  const bad = skipped.filter((s) => s.completed);
  const list = bad.map((s) => `  ${s.path}: ${s.reason}`).join('\n');
  if (older === undefined) {
    const n = skipped.length;
    return new EddyError(
      `${n} checkpoint${n === 1 ? '' : 's'} in ${store.root}, none readable; ` +
        `refusing to start from empty state (output committed by them would be written again):\n${list}`,
      {
        code: 'RESTORE_FAILED',
        domain: 'user',
        hint:
          'restore the checkpoint files from a backup, or start from a savepoint with --from-savepoint <path>; ' +
          'to start from empty state on purpose, move the checkpoint directory away (nothing is deleted for you)',
      },
    );
  }
  const newest = bad[0] as SkippedCheckpoint;
  return new EddyError(
    `checkpoint ${newest.id} completed and its output was committed, but it cannot be read; ` +
      `resuming from the older ${older.path} would write that output again:\n${list}`,
    {
      code: 'RESTORE_FAILED',
      domain: 'user',
      hint:
        `restore the damaged files from a backup, or accept the older checkpoint and the duplicate output ` +
        `with --from-savepoint ${older.path} (fromSavepoint in code)`,
    },
  );
}
