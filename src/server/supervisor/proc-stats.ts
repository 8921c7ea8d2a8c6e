/**
 * Reads a process's resident memory, CPU time and start time from Linux's /proc (no native
 * module, no child process; cheap enough to poll every second).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** A process's resource use. */
export interface ProcStats {
  readonly rssBytes: number;
  /** User + system CPU time, seconds. */
  readonly cpuSeconds: number;
  /** Start time in clock ticks since boot: with the pid, identifies the process. */
  readonly startTicks: number;
}

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** The process's stats, or undefined when it no longer exists. */
export function readProcStats(pid: number): ProcStats | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22, rss (pages) 24.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return {
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    startTicks: Number(fields[19]),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

/** Whether `pid` is still the process that started at `startTicks` (pids are reused). */
export function isSameProcess(pid: number, startTicks: number): boolean {
  return readProcStats(pid)?.startTicks === startTicks;
}
