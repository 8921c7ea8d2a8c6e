/**
 * `--s3-endpoint`, the flag of every command that takes an `s3://` location (`eddy run`,
 * `eddy checkpoints`, `eddy state`, `eddy server`), and the object storage settings it gives.
 *
 * @module
 */
import type { ObjectStorageOptions } from '../core/object-storage-options.ts';
import { usageError } from './cli-error.ts';
import type { FlagSpec } from './parse-flags.ts';

/** `--s3-endpoint`, shared by the commands that take `s3://` locations. */
export const s3EndpointFlag: FlagSpec = {
  name: 's3-endpoint',
  type: 'string',
  placeholder: '<url>',
  description:
    'S3-compatible endpoint for s3:// paths, path-style (default AWS_ENDPOINT_URL_S3, else AWS)',
};

/** Object storage settings from the flags (`--s3-endpoint`), or undefined. */
export function objectStorageFlags(
  flags: Readonly<Record<string, unknown>>,
): ObjectStorageOptions | undefined {
  const endpoint = flags['s3-endpoint'] as string | undefined;
  if (endpoint === undefined) return undefined;
  if (!/^https?:\/\/[^/]+/.test(endpoint)) {
    throw usageError(
      `--s3-endpoint "${endpoint}" is not an http(s) URL`,
      'write e.g. --s3-endpoint http://127.0.0.1:9000',
    );
  }
  return { endpoint };
}
