/**
 * A general blob store: named byte objects under one root, a local directory or an
 * `s3://bucket/prefix`. Checkpoints and savepoints are kept through it, and so are the platform's
 * artifacts. See `docs/adr/0017-blob-store.md`.
 *
 * Keys are relative, `/`-separated paths (`chk-3/state-1-0`). Guarantees every implementation
 * keeps:
 * - `put` is atomic: a reader sees the whole object or none of it (never a prefix of it), even
 *   after a crash in the middle of the write. Large objects go up in parts, invisible until done.
 * - Reads and listings see every `put` that resolved (S3 is strongly consistent since 2020).
 * - Nothing makes a group of objects appear at once: a group is complete when its marker object
 *   is there, written last and deleted first (`write-with-marker.ts`).
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';

/** Storage of named byte objects under one root. */
export interface BlobStore {
  /** The root as users write it: an absolute directory or `s3://bucket/prefix`. */
  readonly uri: string;
  /** The full path or URI of `key`, as shown to users (and accepted by `openBlobStore`). */
  uriOf(key: string): string;
  /** Writes `data` under `key`, replacing what was there, atomically and durably. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The object under `key`; rejects with an `EddyError` of code `NOT_FOUND` when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** Keys that start with `prefix` (`''`: all), sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * The groups (first segments: `chk-3` of `chk-3/state-1-0`) whose names start with `prefix`
   * (no `/`), including groups that hold no key, only what a crashed write left (a local store's
   * empty directory or temporary file), so that cleanup sees those too. Without it, the first
   * segments of {@link BlobStore.list} are used (object stores leave no such remains).
   */
  listGroups?(prefix: string): Promise<string[]>;
  /**
   * Deletes what crashed writes of keys under `prefix` (ending in `/`) left behind (a local
   * store's temporary files), for the keys `accept` names: only those no running write can be
   * finishing. Object stores leave no such remains and need not implement it.
   */
  removeUnfinished?(prefix: string, accept: (key: string) => boolean): Promise<void>;
  /** Deletes the object under `key`; a missing one is fine. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which must not be empty). */
  deletePrefix(prefix: string): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

/**
 * Checks that `key` is a relative path without empty, `.` or `..` segments, so no key can leave
 * the root of a local store or alias another key; returns it.
 */
export function checkBlobKey(key: string, what = 'key'): string {
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw userError('INVALID_ARGUMENT', `invalid blob store ${what} "${key}"`, {
      hint: 'use a relative path of non-empty segments separated by "/", without "." or ".."',
    });
  }
  return key;
}
