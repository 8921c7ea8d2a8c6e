/**
 * Sources over local files: lines, or JSON lines decoded into records — bounded, or watching
 * directories for new files (Flink's `FileSource.monitorContinuously`). Files are read in
 * large chunks off the record path; lines are cut from the bytes, so positions are exact byte
 * offsets (snapshotted, so a restored job continues mid-file). A JSON line that does not parse
 * goes to the dead-letter output with the file, line number, raw text and error.
 *
 * Progress is kept per file path, as Flink's file source keeps it (finished paths, and the offset
 * of each file being read), never as an index into a directory listing: a file deleted or added
 * between a failure and the restore changes nothing for the others. A file belongs to the subtask
 * its path hashes to, so the owner of a path does not depend on which other files exist — the
 * property a continuously monitored directory (files discovered while the job runs) needs too.
 *
 * @module
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Boundedness,
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from '../../core/connector-spi.ts';
import { userError } from '../../errors/eddy-error.ts';
import { hashKey } from '../../state/key-groups.ts';

/** Options of a file source. */
export interface FileSourceOptions {
  /** Operator name. */
  readonly name?: string;
  /** Bytes per read (default 1 MiB). */
  readonly chunkSize?: number;
}

/**
 * How a watched directory is monitored (see {@link FileSource.monitorContinuously}).
 *
 * A file is read once, when it is *complete*. Two rules say when:
 * - `'renamed-into-place'` (the default, and the convention of Flink's file sink): writers write
 *   under a hidden name (starting with `.`) and rename the file into place when it is done;
 *   every visible file is complete.
 * - `{ quietPeriodMs }`: a file is complete once it has not been modified for that long (for
 *   writers that append in place; its clock is the file's modification time).
 */
export interface FileMonitorOptions {
  /** How often the directories are listed, in milliseconds (Flink's discovery interval). */
  readonly intervalMs: number;
  /** When a visible file may be read (default `'renamed-into-place'`). */
  readonly completeness?: 'renamed-into-place' | { readonly quietPeriodMs: number };
}

/** Decodes one line; throw to send the line to the dead-letter output. */
export type LineDecoder<T> = (line: string) => T;

/** Where the next line of a file starts: its byte offset and (0-based) line number. */
export interface FileProgress {
  readonly offset: number;
  readonly line: number;
}

/**
 * The checkpoint state of one file source reader: progress by file path. Readers of a restored
 * job take what concerns the paths they own from the states of all readers, so the source can be
 * restored at another parallelism.
 */
export interface FileSourceState {
  /** Format version of this state. */
  readonly version: 2;
  /** Paths read to their end. */
  readonly finished: readonly string[];
  /** Paths partly read, with where their next line starts. */
  readonly reading: Readonly<Record<string, FileProgress>>;
}

/** State of Eddy versions that kept an index into the sorted listing (same parallelism only). */
interface LegacyFileState {
  readonly file: number;
  readonly offset: number;
  readonly line: number;
}

/**
 * A source of the lines (or decoded lines) of one file, several files or a directory. Each file
 * is read by one parallel subtask, chosen by a hash of its path. Bounded by default; with
 * {@link FileSource.monitorContinuously} it watches its directories for new files and never ends.
 *
 * @example
 * ```ts
 * env.fromSource(FileSource.jsonLines<Click>('clicks.jsonl'));
 * env.fromSource(FileSource.lines('logs/'));
 * // New files in incoming/ are read within a second of being renamed into place.
 * env.fromSource(FileSource.lines('incoming/').monitorContinuously({ intervalMs: 1000 }));
 * ```
 */
export class FileSource<T> implements Source<T> {
  readonly boundedness: Boundedness;
  readonly name: string;
  private constructor(
    private readonly paths: readonly string[],
    private readonly decode: LineDecoder<T> | undefined,
    private readonly format: string,
    private readonly options: FileSourceOptions,
    private readonly monitor?: FileMonitorOptions,
  ) {
    this.name = options.name ?? `File(${paths.join(',')})`;
    this.boundedness = monitor === undefined ? 'bounded' : 'unbounded';
  }

  /**
   * This source, watching its directories for new files: every `intervalMs` the directories are
   * listed again and each new, complete file is read once (its progress is in the checkpoint, so
   * a restored job neither reads a file twice nor skips one). Files already read are not read
   * again when they change. The source becomes unbounded. As in Flink, the checkpoint keeps the
   * path of every file read, so a directory that collects millions of files should have old
   * files moved away (a moved file is forgotten only by a job started without its state).
   *
   * @example
   * ```ts
   * FileSource.jsonLines<Order>('orders/').monitorContinuously({
   *   intervalMs: 500,
   *   completeness: { quietPeriodMs: 2000 }, // writers append in place
   * });
   * ```
   */
  monitorContinuously(monitor: FileMonitorOptions): FileSource<T> {
    const { intervalMs, completeness } = monitor;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw userError(
        'INVALID_ARGUMENT',
        `FileSource "${this.name}": monitorContinuously needs intervalMs > 0 (got ${intervalMs})`,
        { hint: 'pass the discovery interval in milliseconds, e.g. { intervalMs: 1000 }' },
      );
    }
    if (
      typeof completeness === 'object' &&
      !(Number.isFinite(completeness.quietPeriodMs) && completeness.quietPeriodMs >= 0)
    ) {
      throw userError(
        'INVALID_ARGUMENT',
        `FileSource "${this.name}": completeness.quietPeriodMs must be a number ≥ 0 ` +
          `(got ${completeness.quietPeriodMs})`,
      );
    }
    return new FileSource<T>(this.paths, this.decode, this.format, this.options, monitor);
  }

  /** Each line as a string (without its line break). */
  static lines(
    path: string | readonly string[],
    options: FileSourceOptions = {},
  ): FileSource<string> {
    return new FileSource<string>(toList(path), undefined, 'lines', options);
  }

  /** Each line parsed as JSON; lines that do not parse go to the dead-letter output. */
  static jsonLines<T>(
    path: string | readonly string[],
    options: FileSourceOptions = {},
  ): FileSource<T> {
    return new FileSource<T>(toList(path), (line) => JSON.parse(line) as T, 'json-lines', options);
  }

  /** Each line decoded by `decode`; lines it throws on go to the dead-letter output. */
  static decoded<T>(
    path: string | readonly string[],
    decode: LineDecoder<T>,
    options: FileSourceOptions = {},
  ): FileSource<T> {
    return new FileSource<T>(toList(path), decode, 'decoded', options);
  }

  describe(): Readonly<Record<string, unknown>> {
    const monitor = this.monitor;
    return monitor === undefined
      ? { kind: 'file', format: this.format, paths: this.paths }
      : {
          kind: 'file',
          format: this.format,
          paths: this.paths,
          monitorIntervalMs: monitor.intervalMs,
          completeness: monitor.completeness ?? 'renamed-into-place',
        };
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    return new FileReader<T>(
      this.paths,
      this.decode,
      ctx,
      this.options.chunkSize ?? 1 << 20,
      this.monitor,
    );
  }
}

function toList(path: string | readonly string[]): readonly string[] {
  return typeof path === 'string' ? [path] : path;
}

/** The subtask that reads `path`: depends on the path alone, not on the other files. */
export function fileOwner(path: string, parallelism: number): number {
  return hashKey(path) % parallelism;
}

/**
 * Every file of `paths`, directories expanded (hidden entries skipped), sorted within each.
 * `tolerant` (a watched directory's later listings) skips paths that are missing for now.
 */
async function listFiles(paths: readonly string[], tolerant = false): Promise<string[]> {
  const all: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch((e: unknown) => {
      if (tolerant) return undefined;
      throw e;
    });
    if (s === undefined) continue;
    if (s.isDirectory()) {
      const names = await readdir(p).catch((e: unknown) => {
        if (tolerant) return [];
        throw e;
      });
      for (const f of names.sort()) if (!f.startsWith('.')) all.push(join(p, f));
    } else all.push(p);
  }
  return all;
}

const FINISHED = 'finished';

class FileReader<T> implements SourceReader<T> {
  /** This subtask's files, in reading order. */
  private files: string[] = [];
  /** Index into {@link FileReader.files} of the file being read. */
  private current = 0;
  /** Where the next line to emit starts in the current file. */
  private offset = 0;
  private line = 0;
  /** Progress restored from a checkpoint, by path (every reader's, after a rescale). */
  private restored = new Map<string, FileProgress | typeof FINISHED>();
  /** States of older versions, with the subtask and parallelism that saved them. */
  private legacy: { state: LegacyFileState; subtask: number; parallelism: number }[] = [];
  /** Lines read ahead, with the byte offset after each. */
  private lines: string[] = [];
  private ends: number[] = [];
  private head = 0;
  private handle: FileHandle | undefined;
  /** Byte offset of the next read. */
  private readOffset = 0;
  /** Bytes of a line not yet ended, one buffer per read (joined once, when the line ends). */
  private partial: Buffer[] = [];
  private loading: Promise<void> | undefined;
  private eof = false;
  private error: unknown;
  /** Every path in {@link FileReader.files}: a watched directory's files are added once. */
  private readonly known = new Set<string>();
  /** Wakes a watching reader that waits for the next listing (set while it waits). */
  private wake: (() => void) | undefined;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly decode: LineDecoder<T> | undefined,
    private readonly ctx: SourceReaderContext,
    private readonly chunkSize: number,
    private readonly monitor: FileMonitorOptions | undefined,
  ) {}

  async start(): Promise<void> {
    const all = await listFiles(this.paths);
    for (const l of this.legacy) this.restoreLegacy(all, l.state, l.subtask, l.parallelism);
    this.files = [];
    await this.addComplete(all);
    this.current = 0;
    await this.openCurrent();
    this.fill();
  }

  /**
   * Appends this subtask's complete, not yet known files of `listed` to the reading order;
   * whether any was added. A file read before a restore is complete whatever its age.
   */
  private async addComplete(listed: readonly string[]): Promise<boolean> {
    const { parallelism, subtaskIndex } = this.ctx;
    const completeness = this.monitor?.completeness;
    const quietMs = typeof completeness === 'object' ? completeness.quietPeriodMs : 0;
    const now = Date.now();
    let added = false;
    for (const path of listed) {
      if (this.known.has(path) || fileOwner(path, parallelism) !== subtaskIndex) continue;
      if (quietMs > 0 && !this.restored.has(path)) {
        const modified = await stat(path).then(
          (s) => s.mtimeMs,
          () => undefined,
        );
        // Gone since the listing, or still being written: a later listing looks again.
        if (modified === undefined || now - modified < quietMs) continue;
      }
      this.known.add(path);
      this.files.push(path);
      added = true;
    }
    return added;
  }

  /**
   * Lists the watched paths every interval until this subtask has a new file to read (then
   * positioned on it), or the reader closes.
   */
  private async discover(): Promise<void> {
    const intervalMs = (this.monitor as FileMonitorOptions).intervalMs;
    while (!this.closed) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.wakeTimer = setTimeout(resolve, intervalMs);
      });
      this.wake = undefined;
      if (this.closed) return;
      // A watched directory that is missing for a while (moved, remounted) is not a failure.
      const listed = await listFiles(this.paths, true);
      if (await this.addComplete(listed)) {
        await this.openCurrent();
        if (this.current < this.files.length) return;
      }
    }
  }

  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.error !== undefined) throw this.error;
    const lines = this.lines;
    const end = Math.min(lines.length, this.head + output.remaining);
    let i = this.head;
    const decode = this.decode;
    // One try per run of records, none per record. Only what the decoder throws is a malformed
    // line: `collect` runs the operators downstream synchronously, and what they throw is a
    // failure of the job (restored from its checkpoint), never a dead letter.
    let decoding = false;
    while (i < end) {
      try {
        if (decode === undefined) {
          for (; i < end; i++) output.collect(lines[i] as unknown as T);
        } else {
          for (; i < end; i++) {
            decoding = true;
            const value = decode(lines[i] as string);
            decoding = false;
            output.collect(value);
          }
        }
      } catch (e) {
        if (!decoding) throw output.recordFailed?.(e, this.positionOf(i)) ?? e;
        decoding = false;
        output.deadLetter({
          source: this.ctx.sourceName,
          position: this.positionOf(i),
          raw: lines[i] as string,
          error: e instanceof Error ? e.message : String(e),
        });
        i++;
      }
    }
    if (i > this.head) {
      this.line += i - this.head;
      this.offset = this.ends[i - 1] as number;
      this.head = i;
    }
    if (this.head < lines.length) return 'MORE_AVAILABLE';
    if (this.loading !== undefined) return 'NOTHING_AVAILABLE';
    if (this.eof) {
      this.startNextFile();
      if (this.current >= this.files.length && this.monitor === undefined) return 'END_OF_INPUT';
    }
    this.fill();
    return 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  snapshotState(): FileSourceState {
    const finished: string[] = [];
    const reading: Record<string, FileProgress> = {};
    const files = this.files;
    for (let f = 0; f < files.length; f++) {
      const path = files[f] as string;
      if (f < this.current) finished.push(path);
      else if (f === this.current) {
        if (this.offset > 0) reading[path] = { offset: this.offset, line: this.line };
      } else {
        // Not reached yet: finished or partly read before the restore (the order may differ).
        const r = this.restored.get(path);
        if (r === FINISHED) finished.push(path);
        else if (r !== undefined) reading[path] = r;
      }
    }
    if (this.monitor !== undefined) {
      // A watched directory's progress outlives the files' listing: a restored path this
      // subtask owns but has not listed again (a file still settling, or one moved away and
      // back) stays read, or it would be read twice.
      const { parallelism, subtaskIndex } = this.ctx;
      for (const [path, r] of this.restored) {
        if (this.known.has(path) || fileOwner(path, parallelism) !== subtaskIndex) continue;
        if (r === FINISHED) finished.push(path);
        else reading[path] = r;
      }
    }
    return { version: 2, finished, reading };
  }

  restoreState(state: unknown): void {
    if (isLegacy(state)) {
      const { subtaskIndex, parallelism } = this.ctx;
      this.legacy.push({ state, subtask: subtaskIndex, parallelism });
    } else this.restoreUnionState([state]);
  }

  restoreUnionState(states: readonly unknown[]): void {
    for (let j = 0; j < states.length; j++) {
      const state = states[j];
      if (state === undefined) continue;
      if (isLegacy(state)) {
        this.legacy.push({ state, subtask: j, parallelism: states.length });
        continue;
      }
      const s = state as FileSourceState;
      for (const p of s.finished) this.restored.set(p, FINISHED);
      for (const [p, progress] of Object.entries(s.reading)) this.restored.set(p, progress);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    this.wake?.();
    await this.loading?.catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
  }

  /** `file:line` of line `i` of the read-ahead. */
  private positionOf(i: number): string {
    return `${this.files[this.current] ?? ''}:${this.line + (i - this.head) + 1}`;
  }

  /**
   * Translates the state of an older version (an index into the files of subtask `subtask` of
   * `parallelism`, assigned round-robin over the sorted listing) into progress by path.
   */
  private restoreLegacy(
    all: readonly string[],
    state: LegacyFileState,
    subtask: number,
    parallelism: number,
  ): void {
    const old = all.filter((_, i) => i % parallelism === subtask);
    for (let f = 0; f < old.length && f <= state.file; f++) {
      const path = old[f] as string;
      this.restored.set(
        path,
        f < state.file ? FINISHED : { offset: state.offset, line: state.line },
      );
    }
  }

  /** Skips finished files and positions the reader at the current file's restored progress. */
  private async openCurrent(): Promise<void> {
    for (; this.current < this.files.length; this.current++) {
      const path = this.files[this.current] as string;
      const r = this.restored.get(path);
      if (r === FINISHED) continue;
      this.offset = r?.offset ?? 0;
      this.line = r?.line ?? 0;
      if (r !== undefined) {
        const size = await stat(path).then(
          (s) => s.size,
          () => -1,
        );
        if (size < r.offset) {
          process.emitWarning(
            `source "${this.ctx.sourceName}": ${path} was being read (line ${r.line + 1}) and is ` +
              (size < 0 ? 'gone' : 'now shorter than the checkpointed position') +
              '; its remaining lines are skipped',
            'EddyFileSource',
          );
          continue;
        }
      }
      this.readOffset = this.offset;
      return;
    }
  }

  private startNextFile(): void {
    void this.handle?.close();
    this.handle = undefined;
    // Never past the end: a watched directory's next file is appended at `files.length`.
    this.current = Math.min(this.current + 1, this.files.length);
    this.offset = 0;
    this.line = 0;
    this.readOffset = 0;
    this.eof = false;
    this.partial = [];
    this.lines = [];
    this.ends = [];
    this.head = 0;
    this.loading = this.openCurrent()
      .then(() =>
        this.current >= this.files.length && this.monitor !== undefined
          ? this.discover()
          : undefined,
      )
      .then(
        () => {
          this.loading = undefined;
          this.fill();
        },
        (e: unknown) => {
          this.loading = undefined;
          this.error = e;
        },
      );
  }

  private fill(): void {
    if (this.loading !== undefined || this.eof) return;
    if (this.current >= this.files.length) {
      this.eof = true;
      return;
    }
    this.loading = this.load().then(
      () => {
        this.loading = undefined;
      },
      (e: unknown) => {
        this.loading = undefined;
        this.error = e;
      },
    );
  }

  /**
   * Reads chunks until at least one line ends (or the file does). Each byte is scanned once: the
   * start of a line longer than a chunk waits in {@link FileReader.partial} and is joined once,
   * when its end arrives (re-joining and rescanning it per chunk made long lines quadratic).
   */
  private async load(): Promise<void> {
    const path = this.files[this.current] as string;
    this.handle ??= await open(path, 'r');
    const lines: string[] = [];
    const ends: number[] = [];
    while (lines.length === 0) {
      const buf = Buffer.allocUnsafe(this.chunkSize);
      const base = this.readOffset;
      const { bytesRead } = await this.handle.read(buf, 0, this.chunkSize, base);
      this.readOffset += bytesRead;
      if (bytesRead === 0) {
        // Last line without a line break.
        if (this.partial.length > 0) {
          lines.push(this.takeLine(Buffer.alloc(0), false));
          ends.push(base);
        }
        this.eof = true;
        break;
      }
      const data = buf.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        lines.push(this.takeLine(data.subarray(start, nl), true));
        ends.push(base + nl + 1);
        start = nl + 1;
      }
      // The buffer is fresh per read, so keeping a view of its tail is safe.
      if (start < bytesRead) this.partial.push(data.subarray(start));
    }
    this.lines = lines;
    this.ends = ends;
    this.head = 0;
  }

  /** The text of a line: the partial bytes so far plus `tail`, without a trailing CR. */
  private takeLine(tail: Buffer, broken: boolean): string {
    let bytes = tail;
    if (this.partial.length > 0) {
      this.partial.push(tail);
      bytes = Buffer.concat(this.partial);
      this.partial = [];
    }
    const n = bytes.length;
    const stop = broken && n > 0 && bytes[n - 1] === 13 ? n - 1 : n;
    return bytes.toString('utf8', 0, stop);
  }
}

function isLegacy(state: unknown): state is LegacyFileState {
  return (
    typeof state === 'object' &&
    state !== null &&
    typeof (state as { file?: unknown }).file === 'number'
  );
}
