import type { InputStatus, Source, SourceOutput, SourceReader } from '../../core/connector-spi.ts';

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

/** Items pulled ahead of the record path; pulling pauses when this many wait. */
const READ_AHEAD = 1024;

class IterableReader<T> implements SourceReader<T> {
  private buffer: T[] = [];
  private done = false;
  private pulling = false;
  private readonly iterator: AsyncIterator<T> | Iterator<T>;
  private error: unknown;
  private wake: (() => void) | undefined;
  constructor(iterable: AsyncIterable<T> | Iterable<T>) {
    this.iterator =
      Symbol.asyncIterator in iterable
        ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (iterable as Iterable<T>)[Symbol.iterator]();
  }
  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.error !== undefined) throw this.error;
    const n = Math.min(output.remaining, this.buffer.length);
    if (n > 0) {
      const items = this.buffer;
      for (let i = 0; i < n; i++) output.collect(items[i] as T);
      this.buffer = n === items.length ? [] : items.slice(n);
    }
    if (this.buffer.length > 0) return 'MORE_AVAILABLE';
    if (this.done) return 'END_OF_INPUT';
    this.pull();
    return 'NOTHING_AVAILABLE';
  }
  isAvailable(): Promise<void> {
    if (this.buffer.length > 0 || this.done || this.error !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }
  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  /** Pulls items in the background; wakes the reader as soon as one is there. */
  private pull(): void {
    if (this.pulling) return;
    this.pulling = true;
    void (async () => {
      try {
        while (this.buffer.length < READ_AHEAD) {
          const r = await this.iterator.next();
          if (r.done === true) {
            this.done = true;
            break;
          }
          this.buffer.push(r.value);
          this.notify();
        }
      } catch (e) {
        this.error = e;
      } finally {
        this.pulling = false;
        this.notify();
      }
    })();
  }
  async close(): Promise<void> {
    // A generator blocked in next() would also block return(): only wait when it is idle.
    const returned = this.iterator.return?.();
    if (!this.pulling) await returned;
  }
}
