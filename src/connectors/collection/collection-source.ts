import type { InputStatus, Source, SourceOutput, SourceReader } from '../../core/connector-spi.ts';

/**
 * A bounded, non-parallel source over an in-memory iterable. Its position (the index of the next
 * item) is snapshotted, so a restored job resumes where it stopped.
 *
 * @example
 * ```ts
 * env.fromSource(new CollectionSource([1, 2, 3]));
 * ```
 */
export class CollectionSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  private readonly items: readonly T[];
  constructor(
    items: Iterable<T>,
    readonly name = 'Collection',
  ) {
    this.items = Array.isArray(items) ? (items as readonly T[]) : Array.from(items);
  }
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'collection', size: this.items.length };
  }
  createReader(): SourceReader<T> {
    return new CollectionReader(this.items);
  }
}

class CollectionReader<T> implements SourceReader<T> {
  private index = 0;
  constructor(private readonly items: readonly T[]) {}
  pollNext(output: SourceOutput<T>): InputStatus {
    const items = this.items;
    const end = Math.min(items.length, this.index + output.remaining);
    for (let i = this.index; i < end; i++) output.collect(items[i] as T);
    this.index = end;
    return end >= items.length ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }
  isAvailable(): Promise<void> {
    return Promise.resolve();
  }
  snapshotState(): unknown {
    return { index: this.index };
  }
  restoreState(state: unknown): void {
    this.index = (state as { index: number }).index;
  }
}
