/**
 * Follows a rotating log file as `tail -F` does, for `GET …/logs?follow=true`: it reads what is
 * appended from a starting offset, keeps reading a file rotated away (`app.log` → `app.log.1`)
 * to its end before moving to the new one, and waits for a file that does not exist yet. It polls
 * the file rather than watching it: the writer is another process's pipe reader, and polling
 * behaves alike on every file system.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** How a follow starts and paces itself. */
export interface LogFollowOptions {
  /** Byte offset to start from (default: the file's current end). */
  readonly from?: number;
  /** Poll period (default 200 ms). */
  readonly intervalMs?: number;
}

/** Follows one log file; call {@link LogFollower.stop} to end. */
export class LogFollower {
  private ino: number | undefined;
  private offset: number;
  private partial = '';
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly onLines: (lines: readonly string[]) => void,
    options: LogFollowOptions = {},
  ) {
    const s = statOf(file);
    this.ino = s?.ino;
    this.offset = options.from ?? s?.size ?? 0;
    this.timer = setInterval(() => this.poll(), options.intervalMs ?? 200);
  }

  /** Stops following. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private poll(): void {
    if (this.stopped) return;
    const s = statOf(this.file);
    if (s === undefined) return;
    if (this.ino !== undefined && s.ino !== this.ino) {
      // Rotated: finish the old file (now `.1`) first, then start the new one from its beginning.
      const old = statOf(`${this.file}.1`);
      if (old !== undefined && old.ino === this.ino) this.readFrom(`${this.file}.1`, old.size);
      this.ino = s.ino;
      this.offset = 0;
    } else if (this.ino === undefined) {
      this.ino = s.ino;
      this.offset = 0;
    } else if (s.size < this.offset) {
      this.offset = 0; // truncated in place
    }
    this.readFrom(this.file, s.size);
  }

  private readFrom(file: string, size: number): void {
    if (size <= this.offset) return;
    const length = Math.min(size - this.offset, 1024 * 1024);
    const buffer = Buffer.alloc(length);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const n = readSync(fd, buffer, 0, length, this.offset);
      this.offset += n;
      const lines = (this.partial + buffer.toString('utf8', 0, n)).split('\n');
      this.partial = lines.pop() ?? '';
      if (lines.length > 0) this.onLines(lines);
    } finally {
      closeSync(fd);
    }
  }
}

function statOf(file: string): { ino: number; size: number } | undefined {
  try {
    const s = statSync(file);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}
