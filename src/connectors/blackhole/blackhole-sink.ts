import type { Sink, SinkWriter } from '../../core/connector-spi.ts';

/** A sink that drops everything (for benchmarks); records are still counted in metrics. */
export class BlackholeSink<T> implements Sink<T> {
  readonly name = 'blackhole';
  /** Records received, over all subtasks. */
  count = 0;
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'blackhole' };
  }
  createWriter(): SinkWriter<T> {
    return {
      write: (_v, _t, count) => {
        this.count += count;
      },
    };
  }
}
