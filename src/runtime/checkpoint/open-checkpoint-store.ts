/**
 * Opening checkpoint storage from a user's path: a checkpoint directory (`--checkpoint-dir`,
 * `--savepoint-on-stop`) or one checkpoint or savepoint (`--from-savepoint`), local or
 * `s3://bucket/prefix`.
 *
 * @module
 */
import type { ObjectStorageOptions } from '../../core/object-storage-options.ts';
import { openBlobStore, splitBlobPath } from '../../storage/open-blob-store.ts';
import { BlobCheckpointStore } from './blob-checkpoint-store.ts';
import type { CheckpointStore } from './checkpoint-store.ts';

/** Where object storage is and who hears about retries. */
export interface CheckpointStorageOptions {
  readonly objectStorage?: ObjectStorageOptions | undefined;
  readonly log?: ((message: string) => void) | undefined;
}

/** The store of the checkpoint directory `dir`. */
export async function openCheckpointStore(
  dir: string,
  options: CheckpointStorageOptions = {},
): Promise<CheckpointStore> {
  return new BlobCheckpointStore(await openBlobStore(dir, options));
}

/** One checkpoint or savepoint at `path`: the store of its parent and its location in it. */
export async function openCheckpointLocation(
  path: string,
  options: CheckpointStorageOptions = {},
): Promise<{ readonly store: CheckpointStore; readonly location: string }> {
  const { parent, name } = splitBlobPath(path);
  return { store: await openCheckpointStore(parent, options), location: name };
}
