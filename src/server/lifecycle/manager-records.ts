/**
 * Small pieces of the application manager: the public shape of stored snapshots and jobs, its
 * errors (not found; a failure's text and code as operations record them), and the size of a
 * snapshot on disk.
 *
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../../errors/eddy-error.ts';
import type { ApplicationDescription } from '../../protocol/application.ts';
import type { SnapshotDescription } from '../../protocol/snapshot.ts';
import type { JobRecord } from '../store/application-repository.ts';
import type { SnapshotRecord } from '../store/snapshot-repository.ts';

/** A snapshot as the API shows it (without its path on disk). */
export function publicSnapshot(s: SnapshotRecord): SnapshotDescription {
  const { path: _path, ...rest } = s;
  return rest;
}

/** A job record as the API shows it. */
export function publicJob(j: JobRecord): NonNullable<ApplicationDescription['job']> {
  return {
    status: j.status,
    startedAt: j.startedAt,
    restarts: j.restarts,
    ...(j.restoredFrom !== undefined && { restoredFrom: j.restoredFrom }),
    ...(j.pid !== undefined && { pid: j.pid }),
  };
}

/** A 404 with a hint. */
export function notFound(messageText: string, hint: string): EddyError {
  return new EddyError(messageText, { code: 'NOT_FOUND', domain: 'user', hint });
}

/** An error's text (its message, hint included). */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The code of a failure (INTERNAL for an error that is not an EddyError: a bug). */
export function errorOf(e: unknown): { code: string; retryable: boolean } {
  return e instanceof EddyError
    ? { code: e.code, retryable: e.retryable }
    : { code: 'INTERNAL', retryable: false };
}

/** An application's lastFailure for `e`. */
export function failure(kind: string, e: unknown, at: string) {
  return { at, kind, reason: message(e) };
}

/** The bytes under `path` (0 when it does not exist). */
export async function sizeOf(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}
