/**
 * Where checkpoints and savepoints are kept. A checkpoint is a *location* (a directory locally, a
 * key prefix in object storage) holding named files; the `_metadata` file is written last and is
 * the completion marker: a location without a readable `_metadata` is not a checkpoint.
 *
 * @module
 */

/** Name of the file that describes a checkpoint and marks it complete. */
export const METADATA_FILE = '_metadata';

/**
 * Storage of checkpoint files: a `BlobCheckpointStore` over a local directory or object
 * storage (`open-checkpoint-store.ts`).
 */
export interface CheckpointStore {
  /** Human-readable root, for logs and errors. */
  readonly root: string;
  /** Writes one file atomically (a reader sees all of it or nothing) and durably. */
  write(location: string, name: string, data: Uint8Array): Promise<void>;
  /** Reads one file; rejects when it does not exist. */
  read(location: string, name: string): Promise<Uint8Array>;
  /** Locations under the root whose names start with `prefix`, in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** Names of the files of `location`, in no particular order. */
  listFiles(location: string): Promise<string[]>;
  /** Deletes one file (missing is fine). */
  removeFile(location: string, name: string): Promise<void>;
  /**
   * Deletes what crashed writes of files of `location` left (local temporary files), for the
   * file names `accept` names (see `BlobStore.removeUnfinished`).
   */
  removeUnfinished?(location: string, accept: (name: string) => boolean): Promise<void>;
  /** Deletes a location and everything in it, `_metadata` first (missing is fine). */
  remove(location: string): Promise<void>;
  /** A full path or URI of a location, as shown to users. */
  pathOf(location: string): string;
  /** Releases connections (object storage); the store is not used afterwards. */
  close(): Promise<void>;
}
