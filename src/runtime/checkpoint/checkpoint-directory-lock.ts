/**
 * One run per checkpoint directory. Two runs on the same directory each restore the same
 * checkpoint, commit the same output twice and delete each other's files (retention, failed
 * checkpoints), so a run holds `<dir>/_lock` for as long as it runs.
 *
 * The lock is a file naming its holder (process id, host, the process's start time and command
 * line). A run killed with SIGKILL cannot remove it, so a lock whose holder no longer exists on
 * this host — no such process, or a process of that id that started at another time (the id was
 * reused) — is stale and taken over. A holder on another host cannot be checked: the error says
 * which file to remove once that run is gone.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { EddyError } from '../../errors/eddy-error.ts';
import { isProcessAlive, processStartTime } from '../../util/process-liveness.ts';
import { makeDirectorySync } from '../../util/make-directory.ts';

/** File name of the lock in the checkpoint directory. */
export const LOCK_FILE = '_lock';

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid. */
  readonly processStart: string | undefined;
  /** When the lock was taken (ISO 8601). */
  readonly since: string;
  readonly command: string;
  /** Identifies this taking of the lock. */
  readonly token: string;
}

/** A held lock; {@link CheckpointDirectoryLock.release} gives it up. */
export class CheckpointDirectoryLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  private constructor(
    /** The lock file. */
    readonly path: string,
    readonly holder: LockHolder,
  ) {
    // Also when the process ends without the job ending (process.exit in a job file).
    process.once('exit', this.onExit);
  }

  /**
   * Takes the lock of checkpoint directory `dir` (created if missing); throws
   * `CHECKPOINT_DIR_LOCKED` naming the holder when another live run has it. `log` hears about
   * stale locks taken over.
   */
  static acquire(dir: string, log: (message: string) => void): CheckpointDirectoryLock {
    const root = resolve(dir);
    makeDirectorySync(root);
    const path = join(root, LOCK_FILE);
    const me: LockHolder = {
      pid: process.pid,
      host: hostname(),
      processStart: processStartTime(process.pid),
      since: new Date().toISOString(),
      command: process.argv.slice(1).join(' '),
      token: randomBytes(8).toString('hex'),
    };
    for (let tries = 0; tries < 5; tries++) {
      if (tryCreate(path, me)) return new CheckpointDirectoryLock(path, me);
      const holder = readHolder(path);
      if (holder === 'missing') continue; // released in between: try again
      if (holder !== 'unreadable' && isAlive(holder)) throw lockedError(root, path, holder);
      // Stale. Move it aside and check that what was moved is what was judged stale: another
      // run may have taken it over in between, and must get its lock back.
      const aside = `${path}.stale-${me.token}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readHolder(aside);
      const same =
        holder === 'unreadable'
          ? moved === 'unreadable'
          : moved !== 'missing' && moved !== 'unreadable' && moved.token === holder.token;
      if (!same) {
        try {
          linkSync(aside, path);
        } catch {
          // Someone holds the lock again; the next round reports them.
        }
        unlinkQuietly(aside);
        continue;
      }
      unlinkQuietly(aside);
      log(
        holder === 'unreadable'
          ? `removed an unreadable lock file ${path}`
          : `took over the lock of ${root} from pid ${holder.pid}, which no longer runs`,
      );
    }
    throw new EddyError(`could not take the lock ${path}: other runs keep taking it`, {
      code: 'CHECKPOINT_DIR_LOCKED',
      domain: 'user',
      hint: 'run one job per checkpoint directory',
    });
  }

  /** Gives the lock up (once; only if it is still this run's). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const current = readHolder(this.path);
    if (typeof current === 'object' && current.token === this.holder.token) {
      unlinkQuietly(this.path);
    }
  }
}

/** Creates the lock file with its content in one step (link fails if it exists). */
function tryCreate(path: string, holder: LockHolder): boolean {
  const tmp = `${path}.${holder.token}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkQuietly(tmp);
  }
}

function readHolder(path: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.token !== 'string')
      return 'unreadable';
    return h as LockHolder;
  } catch {
    return 'unreadable';
  }
}

/** Whether the holder may still run (always true for another host: it cannot be checked). */
function isAlive(h: LockHolder): boolean {
  return h.host !== hostname() || isProcessAlive(h.pid, h.processStart);
}

function lockedError(root: string, path: string, h: LockHolder): EddyError {
  const here = h.host === hostname();
  return new EddyError(
    `checkpoint directory ${root} is in use by another run: pid ${h.pid} on ${here ? 'this host' : `host ${h.host}`} since ${h.since} (${h.command}); ` +
      'two runs on one directory commit the same output twice and delete each other’s checkpoints',
    {
      code: 'CHECKPOINT_DIR_LOCKED',
      domain: 'user',
      hint: here
        ? `stop that run first, or give this one its own --checkpoint-dir`
        : `stop that run first, or give this one its own --checkpoint-dir; if it is gone, delete ${path}`,
    },
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
