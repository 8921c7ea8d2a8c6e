import type { Sink, SinkWriter } from '../../core/connector-spi.ts';

/**
 * A sink that appends every record to an array in memory. Used by `executeAndCollect()` and
 * tests; parallel subtasks append to the same array.
 *
 * @example
 * ```ts
 * const sink = new CollectSink<number>();
 * env.fromCollection([1, 2, 3]).sinkTo(sink);
 * await env.execute();
 * sink.values; // [1, 2, 3]
 * ```
 */
export class CollectSink<T> implements Sink<T> {
  /** Everything collected so far. */
  readonly values: T[] = [];
  /** Event timestamps, index-aligned with `values` (NaN when a record had none). */
  readonly timestamps: number[] = [];
  /** Records go to {@link CollectSink.values} in the caller's memory, which workers do not share. */
  readonly inCallerThread = true;
  /**
   * @param limit - collect at most this many records; once reached, `onLimit` is called (once)
   *   and later records are ignored (`executeAndCollect(limit)` cancels the job there)
   */
  constructor(
    readonly name = 'collect',
    private readonly limit = Number.POSITIVE_INFINITY,
    private readonly onLimit?: () => void,
  ) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'collect' };
  }
  createWriter(): SinkWriter<T> {
    const values = this.values;
    const timestamps = this.timestamps;
    const limit = this.limit;
    const onLimit = this.onLimit;
    return {
      write(batch, ts, count) {
        if (values.length >= limit) return;
        const n = Math.min(count, limit - values.length);
        for (let i = 0; i < n; i++) {
          values.push(batch[i] as T);
          timestamps.push(ts[i] as number);
        }
        if (values.length >= limit) onLimit?.();
      },
    };
  }
}
