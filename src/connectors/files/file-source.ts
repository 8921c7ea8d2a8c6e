/**
 * Bounded sources over local files: lines, or JSON lines decoded into records. Files are read in
 * large chunks off the record path; lines are cut from the bytes, so positions are exact byte
 * offsets (snapshotted, so a restored job continues mid-file). A JSON line that does not parse
 * goes to the dead-letter output with the file, line number, raw text and error.
 *
 * @module
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from '../../core/connector-spi.ts';

/** Options of a file source. */
export interface FileSourceOptions {
  /** Operator name. */
  readonly name?: string;
  /** Bytes per read (default 1 MiB). */
  readonly chunkSize?: number;
}

/** Decodes one line; throw to send the line to the dead-letter output. */
export type LineDecoder<T> = (line: string) => T;

/** Where a reader is: file index, byte offset and line number of the next line. */
interface FilePosition {
  file: number;
  offset: number;
  line: number;
}

/**
 * A bounded source of the lines (or decoded lines) of one file, several files or a directory.
 * Files are split over parallel subtasks by index.
 *
 * @example
 * ```ts
 * env.fromSource(FileSource.jsonLines<Click>('clicks.jsonl'));
 * env.fromSource(FileSource.lines('logs/'));
 * ```
 */
export class FileSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly name: string;
  private constructor(
    private readonly paths: readonly string[],
    private readonly decode: LineDecoder<T> | undefined,
    private readonly format: string,
    private readonly options: FileSourceOptions,
  ) {
    this.name = options.name ?? `File(${paths.join(',')})`;
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
    return { kind: 'file', format: this.format, paths: this.paths };
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    return new FileReader<T>(this.paths, this.decode, ctx, this.options.chunkSize ?? 1 << 20);
  }
}

function toList(path: string | readonly string[]): readonly string[] {
  return typeof path === 'string' ? [path] : path;
}

class FileReader<T> implements SourceReader<T> {
  private files: string[] = [];
  private pos: FilePosition = { file: 0, offset: 0, line: 0 };
  /** Lines read ahead, with the byte offset after each and its line number. */
  private lines: string[] = [];
  private ends: number[] = [];
  private head = 0;
  private handle: FileHandle | undefined;
  private readOffset = 0;
  private carry: Buffer = Buffer.alloc(0);
  private loading: Promise<void> | undefined;
  private eof = false;
  private error: unknown;

  constructor(
    private readonly paths: readonly string[],
    private readonly decode: LineDecoder<T> | undefined,
    private readonly ctx: SourceReaderContext,
    private readonly chunkSize: number,
  ) {}

  async start(): Promise<void> {
    const all: string[] = [];
    for (const p of this.paths) {
      const s = await stat(p);
      if (s.isDirectory()) {
        for (const f of (await readdir(p)).sort()) if (!f.startsWith('.')) all.push(join(p, f));
      } else all.push(p);
    }
    this.files = all.filter((_, i) => i % this.ctx.parallelism === this.ctx.subtaskIndex);
    this.fill();
  }

  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.error !== undefined) throw this.error;
    const lines = this.lines;
    const end = Math.min(lines.length, this.head + output.remaining);
    const file = this.files[this.pos.file] ?? '';
    let i = this.head;
    const decode = this.decode;
    if (decode === undefined) {
      for (; i < end; i++) output.collect(lines[i] as unknown as T);
    } else {
      // One try per run of good lines; a bad line is isolated and sent to the dead letters.
      while (i < end) {
        try {
          for (; i < end; i++) output.collect(decode(lines[i] as string));
        } catch (e) {
          output.deadLetter({
            source: this.ctx.sourceName,
            position: `${file}:${this.pos.line + (i - this.head) + 1}`,
            raw: lines[i] as string,
            error: e instanceof Error ? e.message : String(e),
          });
          i++;
        }
      }
    }
    if (i > this.head) {
      this.pos.line += i - this.head;
      this.pos.offset = this.ends[i - 1] as number;
      this.head = i;
    }
    if (this.head < lines.length) return 'MORE_AVAILABLE';
    if (this.eof) {
      if (!this.nextFile()) return 'END_OF_INPUT';
    }
    this.fill();
    return 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  snapshotState(): unknown {
    return { ...this.pos };
  }

  restoreState(state: unknown): void {
    this.pos = { ...(state as FilePosition) };
    this.readOffset = this.pos.offset;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private nextFile(): boolean {
    void this.handle?.close();
    this.handle = undefined;
    this.pos = { file: this.pos.file + 1, offset: 0, line: 0 };
    this.readOffset = 0;
    this.eof = false;
    this.carry = Buffer.alloc(0);
    return this.pos.file < this.files.length;
  }

  private fill(): void {
    if (this.loading !== undefined || this.eof || this.pos.file >= this.files.length) {
      if (this.pos.file >= this.files.length) this.eof = true;
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

  private async load(): Promise<void> {
    const path = this.files[this.pos.file] as string;
    this.handle ??= await open(path, 'r');
    const buf = Buffer.allocUnsafe(this.chunkSize);
    const { bytesRead } = await this.handle.read(buf, 0, this.chunkSize, this.readOffset);
    const base = this.readOffset - this.carry.length;
    this.readOffset += bytesRead;
    const data =
      this.carry.length > 0
        ? Buffer.concat([this.carry, buf.subarray(0, bytesRead)])
        : buf.subarray(0, bytesRead);
    const lines: string[] = [];
    const ends: number[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      const stop = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      lines.push(data.toString('utf8', start, stop));
      ends.push(base + nl + 1);
      start = nl + 1;
    }
    if (bytesRead === 0) {
      // Last line without a line break.
      if (start < data.length) {
        lines.push(data.toString('utf8', start));
        ends.push(base + data.length);
      }
      this.carry = Buffer.alloc(0);
      this.eof = true;
    } else {
      this.carry = Buffer.from(data.subarray(start));
    }
    this.lines = this.lines.slice(this.head).concat(lines);
    this.ends = this.ends.slice(this.head).concat(ends);
    this.head = 0;
  }
}
