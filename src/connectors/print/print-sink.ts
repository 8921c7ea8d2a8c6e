import type { Sink, SinkWriter } from '../../core/connector-spi.ts';

/** Options of {@link PrintSink}. */
export interface PrintSinkOptions<T> {
  /** Prefix of every line (Flink prints `subtask>`; we print the prefix and subtask when p > 1). */
  readonly prefix?: string;
  /** Formats a record (default: JSON for objects, String for the rest). */
  readonly format?: (value: T) => string;
  /** Write to stderr instead of stdout. */
  readonly stderr?: boolean;
  /** Where lines go (default process.stdout / process.stderr); for tests. */
  readonly write?: (text: string) => void;
}

const defaultFormat = (v: unknown): string =>
  typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

/**
 * Prints each record on its own line. Lines of a batch are written with one call.
 *
 * @example
 * ```ts
 * stream.sinkTo(new PrintSink({ prefix: 'sessions' }));
 * ```
 */
export class PrintSink<T> implements Sink<T> {
  readonly name: string;
  constructor(private readonly options: PrintSinkOptions<T> = {}) {
    this.name = options.prefix !== undefined ? `print(${options.prefix})` : 'print';
  }
  describe(): Readonly<Record<string, unknown>> {
    return {
      kind: 'print',
      ...(this.options.prefix !== undefined ? { prefix: this.options.prefix } : {}),
    };
  }
  createWriter(ctx: { subtaskIndex: number; parallelism: number }): SinkWriter<T> {
    const fmt = this.options.format ?? defaultFormat;
    const stream = this.options.stderr === true ? process.stderr : process.stdout;
    const write = this.options.write ?? ((text: string) => void stream.write(text));
    const parts: string[] = [];
    if (this.options.prefix !== undefined) parts.push(this.options.prefix);
    if (ctx.parallelism > 1) parts.push(String(ctx.subtaskIndex + 1));
    const prefix = parts.length > 0 ? `${parts.join(':')}> ` : '';
    return {
      write(values, _ts, count) {
        let text = '';
        for (let i = 0; i < count; i++) text += `${prefix}${fmt(values[i] as T)}\n`;
        write(text);
      },
    };
  }
}
