import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from '../../core/connector-spi.ts';

/** Options of {@link DataGenSource}. */
export interface DataGenOptions {
  /** How many records in total; omit for an unbounded source. */
  readonly count?: number;
  /** Records per second over all subtasks; omit for as fast as possible. */
  readonly rowsPerSecond?: number;
  /** Operator name (default `DataGen`). */
  readonly name?: string;
}

/**
 * Generates records from a function of the record's sequence number (0, 1, 2, …), bounded or
 * not, optionally rate-limited. Parallel: subtask `s` of `p` generates numbers `s, s+p, s+2p…`,
 * so the output does not depend on the parallelism. Its position is the next sequence number.
 *
 * @example
 * ```ts
 * env.fromSource(new DataGenSource((i) => ({ id: i, user: `u${i % 100}` }), { count: 1_000_000 }));
 * ```
 */
export class DataGenSource<T> implements Source<T> {
  readonly boundedness: 'bounded' | 'unbounded';
  readonly name: string;
  constructor(
    private readonly generate: (sequence: number) => T,
    private readonly options: DataGenOptions = {},
  ) {
    if (options.count !== undefined && (!Number.isInteger(options.count) || options.count < 0)) {
      throw new RangeError(
        `DataGenSource count must be a non-negative integer, got ${options.count}`,
      );
    }
    if (options.rowsPerSecond !== undefined && !(options.rowsPerSecond > 0)) {
      throw new RangeError(
        `DataGenSource rowsPerSecond must be positive, got ${options.rowsPerSecond}`,
      );
    }
    this.boundedness = options.count === undefined ? 'unbounded' : 'bounded';
    this.name = options.name ?? 'DataGen';
  }
  describe(): Readonly<Record<string, unknown>> {
    return {
      kind: 'datagen',
      count: this.options.count ?? 'unbounded',
      rowsPerSecond: this.options.rowsPerSecond ?? 'unlimited',
    };
  }
  createReader(ctx: SourceReaderContext): SourceReader<T> {
    const rate =
      this.options.rowsPerSecond === undefined
        ? undefined
        : this.options.rowsPerSecond / ctx.parallelism;
    return new DataGenReader(
      this.generate,
      ctx.subtaskIndex,
      ctx.parallelism,
      this.options.count ?? Number.POSITIVE_INFINITY,
      rate,
      ctx,
    );
  }
}

class DataGenReader<T> implements SourceReader<T> {
  private next: number;
  private emitted = 0;
  private startedAt: number | undefined;
  private readonly limit: number;
  constructor(
    private readonly generate: (sequence: number) => T,
    subtask: number,
    private readonly step: number,
    count: number,
    private readonly ratePerSubtask: number | undefined,
    private readonly ctx: SourceReaderContext,
  ) {
    this.next = subtask;
    this.limit = count;
  }
  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.next >= this.limit) return 'END_OF_INPUT';
    let allowed = output.remaining;
    if (this.ratePerSubtask !== undefined) {
      const now = this.ctx.currentTime();
      this.startedAt ??= now;
      const due =
        Math.floor(((now - this.startedAt) / 1000) * this.ratePerSubtask) + 1 - this.emitted;
      if (due <= 0) return 'NOTHING_AVAILABLE';
      allowed = Math.min(allowed, due);
    }
    const gen = this.generate;
    const step = this.step;
    let n = this.next;
    const limit = this.limit;
    // One bound for the loop: the batch's room or the end of the sequence, whichever is first.
    const end = Math.min(limit, n + allowed * step);
    for (; n < end; n += step) output.collect(gen(n));
    this.emitted += Math.floor((n - this.next) / step);
    this.next = n;
    if (n >= limit) return 'END_OF_INPUT';
    return this.ratePerSubtask === undefined ? 'MORE_AVAILABLE' : 'NOTHING_AVAILABLE';
  }
  isAvailable(): Promise<void> {
    if (this.ratePerSubtask === undefined) return Promise.resolve();
    const wait = Math.max(1, Math.min(100, 1000 / this.ratePerSubtask));
    return new Promise((resolve) => setTimeout(resolve, wait));
  }
  snapshotState(): unknown {
    return { next: this.next };
  }
  restoreState(state: unknown): void {
    // The rate limit restarts from the restore, so only the sequence position is kept.
    this.next = (state as { next: number }).next;
  }
}
