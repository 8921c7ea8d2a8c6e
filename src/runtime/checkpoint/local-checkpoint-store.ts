/**
 * The default {@link CheckpointStore}: one directory per checkpoint under a root directory.
 *
 * Each file is written to a temporary name, fsync'd, renamed to its final name, and the directory
 * is fsync'd, so after a crash a file is either absent or complete (its checksum in `_metadata`
 * catches the rest: a disk that lied, a truncated copy, a hand-edited file).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckpointStore } from './checkpoint-store.ts';

export class LocalCheckpointStore implements CheckpointStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  pathOf(location: string): string {
    return join(this.root, location);
  }

  async write(location: string, name: string, data: Uint8Array): Promise<void> {
    const dir = this.pathOf(location);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
    await syncDir(dir);
  }

  async read(location: string, name: string): Promise<Uint8Array> {
    return readFile(join(this.pathOf(location), name));
  }

  async list(prefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => n.startsWith(prefix));
  }

  async remove(location: string): Promise<void> {
    await rm(this.pathOf(location), { recursive: true, force: true });
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
