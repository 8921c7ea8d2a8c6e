/**
 * Opening a {@link BlobStore} from what users write: a local directory, a `file://` URL or
 * `s3://bucket/prefix`. The S3 implementation (and the AWS SDK) is loaded on first use.
 *
 * @module
 */
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectStorageOptions } from '../core/object-storage-options.ts';
import { userError } from '../errors/eddy-error.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';

/** What {@link openBlobStore} needs besides the path. */
export interface OpenBlobStoreOptions {
  /** Settings for `s3://` paths. */
  readonly objectStorage?: ObjectStorageOptions | undefined;
  /** Told of retried requests (object storage). */
  readonly log?: ((message: string) => void) | undefined;
}

/** Whether `path` names object storage (`s3://…`) rather than the local file system. */
export function isObjectStorageUri(path: string): boolean {
  return path.startsWith('s3://');
}

/**
 * The store rooted at `path`: a local directory (plain path or `file://` URL) or
 * `s3://bucket/prefix`. Any other `scheme://` is refused with a hint.
 */
export async function openBlobStore(
  path: string,
  options: OpenBlobStoreOptions = {},
): Promise<BlobStore> {
  if (isObjectStorageUri(path)) {
    const { S3BlobStore } = await import('./s3-blob-store.ts');
    return new S3BlobStore(path, options.objectStorage, options.log);
  }
  return new LocalBlobStore(localPath(path));
}

/**
 * Splits a path or URI into the store root above it and its last segment, e.g.
 * `s3://b/jobs/savepoint-3` into `s3://b/jobs` and `savepoint-3` (trailing slashes ignored).
 */
export function splitBlobPath(path: string): { readonly parent: string; readonly name: string } {
  if (isObjectStorageUri(path)) {
    const trimmed = path.replace(/\/+$/, '');
    const cut = trimmed.lastIndexOf('/');
    if (cut < 's3://'.length) {
      throw userError('INVALID_ARGUMENT', `"${path}" names a bucket, not a location in it`, {
        hint: 'write s3://<bucket>/<prefix>/<name>',
      });
    }
    return { parent: trimmed.slice(0, cut), name: trimmed.slice(cut + 1) };
  }
  const local = localPath(path);
  return { parent: dirname(local), name: basename(local) };
}

function localPath(path: string): string {
  if (path.startsWith('file://')) return fileURLToPath(path);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw userError('INVALID_ARGUMENT', `unsupported storage URI "${path}"`, {
      hint: 'use a local directory or s3://<bucket>/<prefix>',
    });
  }
  return path;
}
