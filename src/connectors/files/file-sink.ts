/**
 * A sink writing lines (or JSON lines) into part files of a directory: `part-<subtask>-0.<ext>`.
 * Each batch is formatted into one string and appended with one asynchronous write; the runtime
 * waits for the write before more records flow (backpressure).
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import { TwoPhaseFileWriter } from './exactly-once-file-sink.ts';
import { makeDirectory } from '../../util/make-directory.ts';

/** Options of {@link FileSink}. */
export interface FileSinkOptions {
  /** Operator name. */
  readonly name?: string;
  /** File name extension of part files (default `txt` for lines, `jsonl` for JSON lines). */
  readonly extension?: string;
}

/**
 * Writes records as lines into part files under a directory.
 *
 * @example
 * ```ts
 * sessions.sinkTo(FileSink.jsonLines('out/sessions'));
 * ```
 */
export class FileSink<T> implements Sink<T> {
  readonly name: string;
  private constructor(
    private readonly directory: string,
    private readonly format: (value: T) => string,
    private readonly extension: string,
    options: FileSinkOptions,
  ) {
    this.name = options.name ?? `FileSink(${directory})`;
  }

  /** One line per record: `String(value)` or the given formatter. */
  static lines<T>(
    directory: string,
    format: (value: T) => string = String,
    options: FileSinkOptions = {},
  ): FileSink<T> {
    return new FileSink<T>(directory, format, options.extension ?? 'txt', options);
  }

  /** One JSON document per line. */
  static jsonLines<T>(directory: string, options: FileSinkOptions = {}): FileSink<T> {
    return new FileSink<T>(
      directory,
      (v) => JSON.stringify(v),
      options.extension ?? 'jsonl',
      options,
    );
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'file', directory: this.directory, extension: this.extension };
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    // With checkpoints the sink is exactly-once: part files become visible when a checkpoint
    // that covers them completes (see exactly-once-file-sink.ts).
    if (ctx.checkpointing === true) {
      return new TwoPhaseFileWriter<T>(
        { dir: this.directory, format: this.format, extension: this.extension },
        ctx.subtaskIndex,
        ctx.parallelism,
      );
    }
    const path = join(this.directory, `part-${ctx.subtaskIndex}-0.${this.extension}`);
    const format = this.format;
    let handle: FileHandle | undefined;
    let writing: Promise<void> = Promise.resolve();
    return {
      open: async () => {
        await makeDirectory(this.directory);
        handle = await open(path, 'w');
      },
      write(values, _ts, count) {
        let text = '';
        for (let i = 0; i < count; i++) text += `${format(values[i] as T)}\n`;
        const h = handle as FileHandle;
        writing = writing.then(async () => {
          await h.write(text);
        });
        return writing;
      },
      flush: async () => {
        await writing;
        await handle?.sync();
      },
      close: async () => {
        await writing;
        await handle?.close();
        handle = undefined;
      },
    };
  }
}
