/**
 * The {@link CheckpointStore} over a {@link BlobStore}: a checkpoint's location is a key prefix
 * (`chk-3/`), its files are objects under it, and `_metadata` is the marker of
 * `write-with-marker.ts` (the coordinator writes it last; {@link BlobCheckpointStore.remove}
 * deletes it first, so a half-deleted checkpoint never looks complete).
 *
 * @module
 */
import type { BlobStore } from '../../storage/blob-store.ts';
import { deleteWithMarker } from '../../storage/write-with-marker.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';

/** Checkpoints kept in a blob store (a local directory or object storage). */
export class BlobCheckpointStore implements CheckpointStore {
  readonly root: string;

  constructor(readonly blobs: BlobStore) {
    this.root = blobs.uri;
  }

  pathOf(location: string): string {
    return this.blobs.uriOf(location);
  }

  write(location: string, name: string, data: Uint8Array): Promise<void> {
    return this.blobs.put(keyOf(location, name), data);
  }

  read(location: string, name: string): Promise<Uint8Array> {
    return this.blobs.get(keyOf(location, name));
  }

  async list(prefix: string): Promise<string[]> {
    // With the remains of crashed writes (a killed run's empty checkpoint directory), which
    // retention must remove as it removes any other old checkpoint.
    if (this.blobs.listGroups !== undefined) return this.blobs.listGroups(prefix);
    const locations = new Set<string>();
    for (const key of await this.blobs.list(prefix)) {
      const cut = key.indexOf('/');
      if (cut > 0) locations.add(key.slice(0, cut));
    }
    return [...locations];
  }

  async listFiles(location: string): Promise<string[]> {
    const prefix = `${location}/`;
    return (await this.blobs.list(prefix))
      .map((key) => key.slice(prefix.length))
      .filter((name) => name !== '' && !name.includes('/'));
  }

  async removeUnfinished(location: string, accept: (name: string) => boolean): Promise<void> {
    const prefix = `${location}/`;
    await this.blobs.removeUnfinished?.(prefix, (key) => accept(key.slice(prefix.length)));
  }

  removeFile(location: string, name: string): Promise<void> {
    return this.blobs.delete(keyOf(location, name));
  }

  remove(location: string): Promise<void> {
    return deleteWithMarker(this.blobs, location, METADATA_FILE);
  }

  close(): Promise<void> {
    return this.blobs.close();
  }
}

/** The key of file `name` of `location`; location `''` is the store's root (job-level files). */
function keyOf(location: string, name: string): string {
  return location === '' ? name : `${location}/${name}`;
}
