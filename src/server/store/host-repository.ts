/**
 * The application processes the server started, so that a restarted server can find and stop
 * what its dead predecessor left running before it starts them again (two writers to one
 * checkpoint directory or sink would break exactly-once).
 *
 * @module
 */
import type { Database } from './metadata-store.ts';

/** A process the server started. */
export interface HostRecord {
  readonly id: string;
  readonly pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22): pids are reused. */
  readonly startTicks: number;
}

/** Hosts' rows. */
export class HostRepository {
  constructor(private readonly db: Database) {}

  /** Records a started process. */
  put(h: HostRecord, now: string): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO hosts (id, pid, start_ticks, started_at) VALUES (?, ?, ?, ?)',
      )
      .run(h.id, h.pid, h.startTicks, now);
  }

  /** Forgets a process that ended. */
  remove(id: string, pid: number): void {
    this.db.prepare('DELETE FROM hosts WHERE id = ? AND pid = ?').run(id, pid);
  }

  /** Every recorded process. */
  list(): HostRecord[] {
    return (
      this.db.prepare('SELECT id, pid, start_ticks FROM hosts').all() as {
        id: string;
        pid: number;
        start_ticks: number;
      }[]
    ).map((r) => ({ id: r.id, pid: r.pid, startTicks: r.start_ticks }));
  }
}
