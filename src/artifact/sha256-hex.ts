/**
 * The one checksum of artifacts: SHA-256, lowercase hex.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** SHA-256 of `data`, lowercase hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
