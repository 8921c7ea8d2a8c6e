/**
 * The record, at the root of a checkpoint directory (`_completed`), of the newest checkpoint whose
 * completion let the sinks commit: written durably after its `_metadata` and before any sink is
 * told to commit (Flink keeps the same pointer in its high-availability store).
 *
 * A restore needs it because the checkpoint's own directory cannot vouch for itself: once a
 * checkpoint whose output was committed is deleted, truncated or has lost its `_metadata`, only
 * this record still says that it completed, and that falling back to an older checkpoint would
 * write that output a second time.
 *
 * @module
 */
import type { CheckpointStore } from './checkpoint-store.ts';

/** File name of the record, at the root of the checkpoint store. */
export const COMPLETED_FILE = '_completed';

/** The location of job-level files: the root of the store itself. */
export const STORE_ROOT = '';

/** The newest checkpoint (or stop-with-savepoint) that committed the sinks' output. */
export interface CompletedCheckpointRecord {
  readonly checkpointId: number;
  /** Full path of the checkpoint or savepoint. */
  readonly path: string;
  /** True for a stop-with-savepoint, which commits too; it lives outside the directory. */
  readonly savepoint: boolean;
  readonly completedAt: number;
}

/** Writes the record durably (atomically replacing the previous one). */
export function writeCompletedRecord(
  store: CheckpointStore,
  record: CompletedCheckpointRecord,
): Promise<void> {
  return store.write(STORE_ROOT, COMPLETED_FILE, Buffer.from(`${JSON.stringify(record)}\n`));
}

/**
 * The record, `undefined` when the store has none (a new directory, or one written before Eddy
 * kept it); throws an Error saying what is wrong when it exists but cannot be read.
 */
export async function readCompletedRecord(
  store: CheckpointStore,
): Promise<CompletedCheckpointRecord | undefined> {
  let raw: Uint8Array;
  try {
    raw = await store.read(STORE_ROOT, COMPLETED_FILE);
  } catch (e) {
    // NOT_FOUND from the blob stores; ENOENT from a plain file system.
    const code = (e as { code?: unknown }).code;
    if (code === 'NOT_FOUND' || code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw new Error(`${store.pathOf(COMPLETED_FILE)} is not valid JSON`);
  }
  const r = parsed as Partial<CompletedCheckpointRecord> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    !Number.isInteger(r.checkpointId) ||
    typeof r.path !== 'string'
  ) {
    throw new Error(`${store.pathOf(COMPLETED_FILE)} does not name a checkpoint`);
  }
  return {
    checkpointId: r.checkpointId as number,
    path: r.path,
    savepoint: r.savepoint === true,
    completedAt: typeof r.completedAt === 'number' ? r.completedAt : 0,
  };
}
