import type { InputStatus, Source, SourceOutput, SourceReader } from '../spi.ts';

/**
 * A non-parallel source over an (async) iterable, e.g. an async generator or a Node stream.
 * Items are pulled ahead into a small buffer so the record path stays synchronous.
 *
 * @example
 * ```ts
 * async function* ticks() { for (let i = 0; i < 3; i++) yield i; }
 * env.fromSource(new IterableSource(ticks()));
 * ```
 */
export class IterableSource<T> implements Source<T> {
  readonly boundedness: 'bounded' | 'unbounded';
  readonly maxParallelism = 1;
  constructor(
    private readonly iterable: AsyncIterable<T> | Iterable<T>,
    readonly name = 'Iterable',
    options: { readonly unbounded?: boolean } = {},
  ) {
    this.boundedness = options.unbounded === true ? 'unbounded' : 'bounded';
  }
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'iterable' };
  }
  createReader(): SourceReader<T> {
    return new IterableReader(this.iterable);
  }
}

class IterableReader<T> implements SourceReader<T> {
  private readonly buffer: T[] = [];
  private done = false;
  private pulling: Promise<void> | undefined;
  private readonly iterator: AsyncIterator<T> | Iterator<T>;
  private error: unknown;
  constructor(iterable: AsyncIterable<T> | Iterable<T>) {
    this.iterator =
      Symbol.asyncIterator in iterable
        ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (iterable as Iterable<T>)[Symbol.iterator]();
  }
  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.error !== undefined) throw this.error;
    let n = Math.min(output.remaining, this.buffer.length);
    if (n > 0) {
      const items = this.buffer.splice(0, n);
      for (const item of items) output.collect(item);
    }
    n = this.buffer.length;
    if (n > 0) return 'MORE_AVAILABLE';
    if (this.done) return 'END_OF_INPUT';
    this.pull();
    return 'NOTHING_AVAILABLE';
  }
  isAvailable(): Promise<void> {
    return this.pulling ?? Promise.resolve();
  }
  private pull(): void {
    if (this.pulling !== undefined) return;
    this.pulling = (async () => {
      try {
        for (let i = 0; i < 256; i++) {
          const r = await this.iterator.next();
          if (r.done === true) {
            this.done = true;
            break;
          }
          this.buffer.push(r.value);
        }
      } catch (e) {
        this.error = e;
      } finally {
        this.pulling = undefined;
      }
    })();
  }
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
