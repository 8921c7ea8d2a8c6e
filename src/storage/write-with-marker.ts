/**
 * Groups of objects that become visible at once: the "marker last" protocol on a
 * {@link BlobStore}, which has no multi-object transactions. A group under `prefix/` counts as
 * complete only when its marker object is there; the marker is written after every other object
 * of the group is durable and deleted before any of them, so a crash at any point leaves either a
 * complete group or one without a marker, which readers ignore (and cleanup removes).
 * Checkpoints use it with `_metadata` as the marker; the platform's artifacts do too.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';
import type { BlobStore } from './blob-store.ts';

/** Writes `files` under `prefix/` (in parallel), then `marker` under `prefix/` last. */
export async function writeWithMarker(
  store: BlobStore,
  prefix: string,
  files: Iterable<readonly [name: string, data: Uint8Array]>,
  marker: readonly [name: string, data: Uint8Array],
): Promise<void> {
  await Promise.all(Array.from(files, ([name, data]) => store.put(`${prefix}/${name}`, data)));
  await store.put(`${prefix}/${marker[0]}`, marker[1]);
}

/** Whether the group under `prefix/` is complete (its marker `markerName` is there). */
export async function hasMarker(
  store: BlobStore,
  prefix: string,
  markerName: string,
): Promise<boolean> {
  try {
    await store.get(`${prefix}/${markerName}`);
    return true;
  } catch (e) {
    if (e instanceof EddyError && e.code === 'NOT_FOUND') return false;
    throw e;
  }
}

/** Deletes the group under `prefix/`: its marker `markerName` first, then the rest. */
export async function deleteWithMarker(
  store: BlobStore,
  prefix: string,
  markerName: string,
): Promise<void> {
  await store.delete(`${prefix}/${markerName}`);
  await store.deletePrefix(`${prefix}/`);
}
