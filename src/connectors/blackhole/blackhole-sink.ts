import type { Sink, SinkWriter } from '../../core/connector-spi.ts';

/**
 * A sink that drops everything (for benchmarks, as Flink's `DiscardingSink`); records are still
 * counted in metrics and in {@link BlackholeSink.count}. Chained behind operators in the same
 * thread, it takes records one at a time ({@link SinkWriter.invoke}).
 */
export class BlackholeSink<T> implements Sink<T> {
  readonly name = 'blackhole';
  /** Records received, over all subtasks. */
  count = 0;
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'blackhole' };
  }
  createWriter(): SinkWriter<T> {
    return new BlackholeWriter<T>(this);
  }
}

/** One subtask's writer: counts into its sink. */
class BlackholeWriter<T> implements SinkWriter<T> {
  constructor(private readonly sink: BlackholeSink<T>) {}
  write(_values: readonly T[], _timestamps: readonly number[], count: number): void {
    this.sink.count += count;
  }
  invoke(_value: T, _timestamp: number): void {
    this.sink.count++;
  }
}
