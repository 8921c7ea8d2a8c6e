/**
 * A small tmpfs file system for fault injection (a disk that fills up): mounted on a fresh
 * directory, unmounted after the test. Mounting needs root (CI runs as root); elsewhere the
 * tests that need it are skipped with the reason, except in CI (`CI=true`), where they must run.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted small disk. */
export interface SmallDisk {
  /** Its mount point. */
  readonly path: string;
  /** Unmounts it (lazily, so files a killed process held open do not keep it busy). */
  unmount(): void;
}

/** Mounts a tmpfs of `bytes`, or returns why that is not possible here (throws in CI). */
export function mountSmallDisk(bytes: number): SmallDisk | string {
  const path = mkdtempSync(join(tmpdir(), 'eddy-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path], {
      stdio: 'pipe',
    });
  } catch (e) {
    rmSync(path, { recursive: true, force: true });
    const reason = `cannot mount a tmpfs (needs root): ${(e as Error).message.split('\n')[0]}`;
    if (process.env['CI'] === 'true') throw new Error(`CI=true: ${reason}`);
    return reason;
  }
  return {
    path,
    unmount() {
      try {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
        rmSync(path, { recursive: true, force: true });
      } catch {
        // Already unmounted.
      }
    },
  };
}
