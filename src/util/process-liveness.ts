/**
 * Whether a process that left something on disk (a lock, a working directory) still runs: the
 * owner of a file named after a process id may have been killed with SIGKILL, and its id may
 * since belong to another process, which its start time tells apart (Linux, through /proc).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/**
 * Field 22 of `/proc/<pid>/stat`, the process's start time in clock ticks since boot, as a
 * string; undefined where there is no /proc (or no such process).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` of this host runs, and (when `startTime` is known on both sides) is the
 * same process that had that start time.
 */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: a process of another user has this id, so it runs.
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}
