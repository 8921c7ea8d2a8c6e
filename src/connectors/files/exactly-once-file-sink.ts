/**
 * A file sink with exactly-once output through two-phase commit.
 *
 * Records are appended to a hidden *in-progress* part file per subtask. At a checkpoint barrier
 * (`preCommit`) the part file is flushed, fsync'd, closed and renamed to a hidden *pending* name;
 * its names become the committable stored in the checkpoint. When the checkpoint completes
 * (`commit`) the pending file is renamed to its visible name `part-<subtask>-<run>-<seq>`. After a
 * crash, the restore commits the pending files of the restored checkpoint (renaming is idempotent:
 * a file already visible is left alone) and deletes every other hidden file of the sink, so a
 * reader of the visible files sees each record exactly once.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import { makeDirectorySync } from '../../util/make-directory.ts';

/** Options of {@link ExactlyOnceFileSink}. */
export interface ExactlyOnceFileSinkOptions<T> {
  /** Directory of the part files (created if missing). */
  readonly dir: string;
  /** One line per record (default `JSON.stringify`). */
  readonly format?: (value: T) => string;
  /** Bytes buffered in memory before they are appended to the part file (default 64 KiB). */
  readonly bufferBytes?: number;
  /** File name extension of visible part files, without the dot (default none). */
  readonly extension?: string;
}

/** What a checkpoint stores for a pre-committed part file. */
export interface FileCommittable {
  /** Hidden pending name. */
  readonly pending: string;
  /** Visible name after commit. */
  readonly final: string;
}

const HIDDEN = /^\.part-(\d+)-.*\.(inprogress|pending)$/;

/**
 * Writes records as lines into part files that become visible only when a checkpoint completes
 * (or, without checkpointing, at the end of input).
 *
 * @example
 * ```ts
 * stream.sinkTo(new ExactlyOnceFileSink({ dir: 'out' }));
 * ```
 */
export class ExactlyOnceFileSink<T> implements Sink<T> {
  readonly name = 'ExactlyOnceFileSink';
  constructor(private readonly options: ExactlyOnceFileSinkOptions<T>) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'exactly-once-file', dir: this.options.dir };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T, FileCommittable> {
    return new TwoPhaseFileWriter<T>(this.options, ctx.subtaskIndex, ctx.parallelism);
  }
}

/** The writer of {@link ExactlyOnceFileSink}; `FileSink` uses it when checkpointing is on. */
export class TwoPhaseFileWriter<T> implements SinkWriter<T, FileCommittable> {
  private readonly format: (value: T) => string;
  private readonly bufferBytes: number;
  /** Distinguishes part files of different runs, so a restarted job never reuses a name. */
  private readonly run = randomBytes(4).toString('hex');
  private seq = 0;
  private fd: number | undefined;
  private current: string | undefined;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(
    private readonly options: ExactlyOnceFileSinkOptions<T>,
    private readonly subtask: number,
    private readonly parallelism: number,
  ) {
    this.format = options.format ?? ((v: T) => JSON.stringify(v));
    this.bufferBytes = options.bufferBytes ?? 65536;
  }

  open(): void {
    const dir = this.options.dir;
    makeDirectorySync(dir);
    // Restored committables were committed before open; any other hidden file is from an
    // attempt that never completed a checkpoint covering it. Each subtask cleans its share.
    for (const name of readdirSync(dir)) {
      const m = HIDDEN.exec(name);
      if (m !== null && Number(m[1]) % this.parallelism === this.subtask) {
        rmSync(join(dir, name), { force: true });
      }
    }
  }

  write(values: readonly T[], _timestamps: readonly number[], count: number): void {
    const f = this.format;
    for (let i = 0; i < count; i++) {
      const line = f(values[i] as T) + '\n';
      this.buffer.push(line);
      this.buffered += line.length;
    }
    if (this.buffered >= this.bufferBytes) this.drain();
  }

  private drain(): void {
    if (this.buffer.length === 0) return;
    if (this.fd === undefined) {
      this.current = `part-${this.subtask}-${this.run}-${this.seq++}`;
      this.fd = openSync(join(this.options.dir, `.${this.current}.inprogress`), 'w');
    }
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }

  flush(): void {
    this.drain();
  }

  preCommit(): readonly FileCommittable[] {
    this.drain();
    if (this.fd === undefined || this.current === undefined) return [];
    const dir = this.options.dir;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    const name = this.current;
    this.current = undefined;
    const pending = `.${name}.pending`;
    renameSync(join(dir, `.${name}.inprogress`), join(dir, pending));
    const ext = this.options.extension;
    return [{ pending, final: ext === undefined ? name : `${name}.${ext}` }];
  }

  commit(committables: readonly FileCommittable[]): void {
    const dir = this.options.dir;
    for (const c of committables) {
      const from = join(dir, c.pending);
      if (existsSync(from)) renameSync(from, join(dir, c.final));
      // Already visible: committed before a crash. Neither: removed by hand; nothing to do.
    }
    syncDir(dir);
  }

  abort(committables: readonly FileCommittable[]): void {
    for (const c of committables) rmSync(join(this.options.dir, c.pending), { force: true });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directories cannot be fsync'd on every platform; renames are still atomic.
  }
}
