/**
 * The {@link BlobStore} on a local directory: one file per key, directories for `/`.
 *
 * Each object is written to a hidden temporary file, fsync'd, renamed to its key and the
 * directory fsync'd, so after a crash a key is either absent or complete.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EddyError } from '../errors/eddy-error.ts';
import { checkBlobKey, type BlobStore } from './blob-store.ts';
import { makeDirectory } from '../util/make-directory.ts';

// `.<name>.<8 hex>.tmp`: an object being written (or left by a crash); never listed.
const TEMP_FILE = /^\..*\.[0-9a-f]{8}\.tmp$/;

/** A {@link BlobStore} in a local directory (created on the first write). */
export class LocalBlobStore implements BlobStore {
  readonly uri: string;

  constructor(root: string) {
    this.uri = resolve(root);
  }

  uriOf(key: string): string {
    return key === '' ? this.uri : join(this.uri, ...key.split('/'));
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.uriOf(checkBlobKey(key));
    const dir = dirname(file);
    await makeDirectory(dir);
    const tmp = join(dir, `.${file.slice(dir.length + 1)}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    await syncDir(dir);
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.uriOf(checkBlobKey(key));
    try {
      return await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
        throw new EddyError(`${file} does not exist`, {
          code: 'NOT_FOUND',
          domain: 'external',
          cause: e,
        });
      }
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const cut = prefix.lastIndexOf('/');
    const dir = prefix.slice(0, cut + 1);
    const start = prefix.slice(cut + 1);
    if (dir !== '') checkBlobKey(dir.slice(0, -1), 'prefix');
    const keys: string[] = [];
    await this.walk(dir, (name) => name.startsWith(start), keys);
    return keys.sort();
  }

  async listGroups(prefix: string): Promise<string[]> {
    if (prefix.includes('/')) throw misuse('listGroups takes the start of a first segment');
    // Every directory: one a run was killed in may hold nothing but a temporary file, or be empty.
    return (await this.entriesOf(''))
      .filter((e) => e.isDirectory() && e.name.startsWith(prefix))
      .map((e) => e.name)
      .sort();
  }

  async removeUnfinished(prefix: string, accept: (key: string) => boolean): Promise<void> {
    if (!prefix.endsWith('/')) throw misuse('removeUnfinished takes a prefix ending in "/"');
    const dir = this.uriOf(checkBlobKey(prefix.slice(0, -1), 'prefix'));
    for (const { name } of await this.entriesOf(prefix)) {
      // `.<name>.<8 hex>.tmp` → the key the write was for.
      if (TEMP_FILE.test(name) && accept(`${prefix}${name.slice(1, -13)}`)) {
        await unlink(join(dir, name)).catch(() => {});
      }
    }
  }

  async delete(key: string): Promise<void> {
    await unlink(this.uriOf(checkBlobKey(key))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix === '') throw misuse('deletePrefix needs a non-empty prefix');
    // A whole "directory": one recursive removal (also takes crashed writes' temporary files).
    if (prefix.endsWith('/')) {
      await rm(this.uriOf(checkBlobKey(prefix.slice(0, -1), 'prefix')), {
        recursive: true,
        force: true,
      });
      return;
    }
    for (const key of await this.list(prefix)) await this.delete(key);
  }

  async close(): Promise<void> {}

  /** Adds the keys under directory `dir` (`''` or ending in `/`) whose names pass `accept`. */
  private async walk(dir: string, accept: (name: string) => boolean, out: string[]): Promise<void> {
    for (const entry of await this.entriesOf(dir)) {
      if (!accept(entry.name) || TEMP_FILE.test(entry.name)) continue;
      if (entry.isDirectory()) await this.walk(`${dir}${entry.name}/`, () => true, out);
      else if (entry.isFile()) out.push(`${dir}${entry.name}`);
    }
  }

  /** The entries of directory `dir` (`''` or ending in `/`); none when it does not exist. */
  private async entriesOf(dir: string): Promise<Dirent[]> {
    try {
      return await readdir(dir === '' ? this.uri : this.uriOf(dir.slice(0, -1)), {
        withFileTypes: true,
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
  }
}

/** Makes a rename in `dir` durable (a no-op where directories cannot be opened, e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Not supported on this platform; the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

/** A caller broke this store's contract: a bug in Eddy, not the user's doing. */
function misuse(message: string): EddyError {
  return new EddyError(message, { code: 'INTERNAL', domain: 'internal' });
}
