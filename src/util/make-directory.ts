/**
 * `mkdir -p` that reports the real reason it failed. Node's recursive `mkdir` answers ENOENT
 * ("no such file or directory") when the file system is read-only or the parent not writable,
 * naming a directory whose parent exists: a user then looks for a missing path instead of a
 * read-only disk. On ENOENT these retry the last missing level without `recursive`, which fails
 * with the kernel's own error (EROFS, EACCES, ENOTDIR).
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The first missing directory on the way to `dir` (the one a plain mkdir must create). */
function firstMissing(dir: string): string {
  let d = dir;
  for (;;) {
    const parent = dirname(d);
    if (parent === d || existsSync(parent)) return d;
    d = parent;
  }
}

/** Creates `dir` and its parents; on failure throws the error that names the cause. */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(firstMissing(dir));
    throw e;
  }
}

/** {@link makeDirectory}, synchronously. */
export function makeDirectorySync(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(firstMissing(dir));
    throw e;
  }
}
