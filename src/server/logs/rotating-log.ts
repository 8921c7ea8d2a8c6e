/**
 * A per-application log file that rotates by size (`app.log`, `app.log.1` … `app.log.N`), with
 * listeners for live tails (`GET …/logs?follow=true`).
 *
 * @module
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';

/** Rotation limits. */
export interface RotatingLogOptions {
  /** Bytes per file before rotating (default 10 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 3). */
  readonly keep?: number;
}

/** An append-only, size-rotated log file. */
export class RotatingLog {
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly listeners = new Set<(line: string) => void>();
  private partial = '';

  constructor(
    readonly file: string,
    options: RotatingLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 3;
    this.fd = openSync(file, 'a');
    this.size = statSync(file).size;
  }

  /** Appends a chunk of process output. */
  write(chunk: string): void {
    if (this.size + chunk.length > this.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, chunk);
    this.size += Buffer.byteLength(chunk);
    if (this.listeners.size === 0) return;
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) for (const l of this.listeners) l(line);
  }

  /** Calls `listener` with every complete line written from now on; returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    renameSync(this.file, `${this.file}.1`);
    this.fd = openSync(this.file, 'a');
    this.size = 0;
  }
}

/** The last `lines` lines of a log (current file, then the newest rotated one if needed). */
export function tailLog(file: string, lines: number): string[] {
  const out: string[] = [];
  for (const f of [file, `${file}.1`]) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    out.unshift(...all.slice(-(lines - out.length)));
    if (out.length >= lines) break;
  }
  return out.slice(-lines);
}
