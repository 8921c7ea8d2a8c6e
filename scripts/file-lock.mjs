// Locks for the scripts that start test services (kafka.mjs, postgres.mjs): a file created with
// O_EXCL holding the owner's pid; a lock whose owner is dead is stale and taken over. Locks still
// held are removed when the process is interrupted. Plain Node ESM with no dependencies.

import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when a process with this pid runs (possibly as another user). */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const heldLocks = new Set();

function unlinkQuietly(file) {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Removes the lock files this process holds (before exiting on an error). */
export function releaseHeldLocks() {
  for (const file of heldLocks) unlinkQuietly(file);
  heldLocks.clear();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    releaseHeldLocks();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/**
 * Runs `fn` holding the lock `file`, waiting for another holder (announced once through
 * `options.log`) for up to `options.timeoutMs`; on timeout throws `options.fail(message)`.
 */
export async function withLock(file, what, fn, options) {
  const { log, timeoutMs, fail } = options;
  mkdirSync(join(file, '..'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      heldLocks.add(file);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = null;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Being written right now, or removed in between: look again shortly, unless it is old.
      try {
        if (Date.now() - statSync(file).mtimeMs > 10_000) unlinkSync(file);
      } catch {
        // gone
      }
    }
    if (owner && !isAlive(owner.pid)) {
      unlinkQuietly(file);
      continue;
    }
    if (Date.now() > deadline) {
      throw fail(
        `Timed out after ${timeoutMs / 1000}s waiting for ${file} (held by pid ${owner?.pid}). ` +
          'If no other script is running, delete that file.',
      );
    }
    if (!announced && owner) {
      log(`waiting for another script (pid ${owner.pid}) to finish ${what}…`);
      announced = true;
    }
    await sleep(150);
  }
  try {
    return await fn();
  } finally {
    heldLocks.delete(file);
    unlinkQuietly(file);
  }
}
