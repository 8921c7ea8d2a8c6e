/**
 * What `eddy checkpoints` and `eddy state` were pointed at: a checkpoint directory (the
 * `--checkpoint-dir` of a job) or one checkpoint or savepoint, local or `s3://bucket/prefix`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStorageOptions } from '../core/object-storage-options.ts';
import type { CheckpointStore } from '../runtime/checkpoint/checkpoint-store.ts';
import { METADATA_FILE } from '../runtime/checkpoint/checkpoint-store.ts';
import {
  openCheckpointLocation,
  openCheckpointStore,
} from '../runtime/checkpoint/open-checkpoint-store.ts';
import { isObjectStorageUri } from '../storage/open-blob-store.ts';
import { usageError } from './cli-error.ts';

/** A checkpoint directory, or one checkpoint or savepoint in its parent's store. */
export type CheckpointPath =
  | { readonly kind: 'directory'; readonly store: CheckpointStore }
  | { readonly kind: 'single'; readonly store: CheckpointStore; readonly location: string };

/**
 * Opens `path`: one checkpoint or savepoint when it holds a `_metadata`, else a checkpoint
 * directory. A local path that does not exist is a usage error with `hint`. Close the store.
 */
export async function openCheckpointPath(
  path: string,
  objectStorage: ObjectStorageOptions | undefined,
  hint: string,
): Promise<CheckpointPath> {
  const options = { objectStorage, log: (m: string) => console.error(`eddy: ${m}`) };
  if (!isObjectStorageUri(path)) {
    if (!existsSync(path)) throw usageError(`no such directory: ${path}`, hint);
    if (existsSync(join(path, METADATA_FILE)))
      return { kind: 'single', ...(await openCheckpointLocation(path, options)) };
  } else if (!/^s3:\/\/[^/]+\/*$/.test(path)) {
    // Object storage has no directories to look at: a location is one checkpoint when its
    // marker is there (a read error here shows up again, explained, when listing).
    const single = await openCheckpointLocation(path, options);
    if (await hasMetadata(single.store, single.location)) return { kind: 'single', ...single };
    await single.store.close();
  }
  return { kind: 'directory', store: await openCheckpointStore(path, options) };
}

async function hasMetadata(store: CheckpointStore, location: string): Promise<boolean> {
  try {
    await store.read(location, METADATA_FILE);
    return true;
  } catch {
    return false;
  }
}
