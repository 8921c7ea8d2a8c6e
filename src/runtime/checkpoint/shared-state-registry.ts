/**
 * Reference counts of the shared files of incremental checkpoints (`<checkpointDir>/shared/`), as
 * Flink's `SharedStateRegistry`: every retained checkpoint holds a reference to each file of its
 * subtasks' state chains, and a file is deleted when the last checkpoint that needs it is
 * removed. Savepoints are full and self-contained, so they never reference a shared file.
 *
 * The counts are not stored: a run rebuilds them from the `_metadata` of the checkpoints the store
 * retains ({@link SharedStateRegistry.registerRetained}); files no retained checkpoint names and
 * no checkpoint of this run can still write are leftovers of failed checkpoints or killed runs,
 * and are deleted then too.
 *
 * @module
 */
import { decodeMetadata, type CheckpointMetadata } from './checkpoint-metadata.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';

/** The location of shared files in the checkpoint store. */
export const SHARED_LOCATION = 'shared';

/** The shared files a checkpoint's `_metadata` names. */
export function sharedFilesOf(m: CheckpointMetadata): string[] {
  const files: string[] = [];
  for (const op of m.operators) {
    for (const st of op.subtasks) for (const f of st.keyedChain ?? []) files.push(f.file);
  }
  return files;
}

/** The checkpoint id a shared file was written for (its name starts with it). */
export function checkpointIdOfSharedFile(file: string): number {
  const n = Number(file.slice(0, file.indexOf('-')));
  return Number.isInteger(n) ? n : Number.POSITIVE_INFINITY;
}

export class SharedStateRegistry {
  private readonly refs = new Map<string, number>();
  private readonly byCheckpoint = new Map<number, readonly string[]>();

  /** Checkpoint `id` (completed) references `files`. */
  register(id: number, files: readonly string[]): void {
    if (this.byCheckpoint.has(id)) return;
    this.byCheckpoint.set(id, files);
    for (const f of files) this.refs.set(f, (this.refs.get(f) ?? 0) + 1);
  }

  /** Checkpoint `id` is removed: the files no retained checkpoint references any more. */
  release(id: number): string[] {
    const files = this.byCheckpoint.get(id);
    if (files === undefined) return [];
    this.byCheckpoint.delete(id);
    const free: string[] = [];
    for (const f of files) {
      const n = (this.refs.get(f) ?? 1) - 1;
      if (n > 0) this.refs.set(f, n);
      else {
        this.refs.delete(f);
        free.push(f);
      }
    }
    return free;
  }

  /** Whether a retained checkpoint references `file`. */
  isReferenced(file: string): boolean {
    return this.refs.has(file);
  }

  /**
   * Registers the retained checkpoints `ids` of `store` (their `_metadata`; unreadable ones hold
   * nothing), then deletes the shared files that none of them references and that were written
   * for a checkpoint before `firstId` (this run's own checkpoints start at `firstId`).
   */
  async registerRetained(
    store: CheckpointStore,
    ids: readonly number[],
    firstId: number,
    prefix: string,
  ): Promise<void> {
    for (const id of ids) {
      try {
        this.register(
          id,
          sharedFilesOf(decodeMetadata(await store.read(`${prefix}${id}`, METADATA_FILE))),
        );
      } catch {
        // Not a readable checkpoint: it references nothing a restore could use.
      }
    }
    const leftover = (file: string): boolean =>
      !this.isReferenced(file) && checkpointIdOfSharedFile(file) < firstId;
    for (const file of await store.listFiles(SHARED_LOCATION)) {
      if (leftover(file)) await store.removeFile(SHARED_LOCATION, file).catch(() => {});
    }
    // A run killed while writing a shared file leaves its temporary file (as large as the file).
    await store.removeUnfinished?.(SHARED_LOCATION, leftover).catch(() => {});
  }
}
