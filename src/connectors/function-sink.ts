import type { SinkFn, SinkFunction } from '../core/functions/sink-function.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../core/connector-spi.ts';

/** Adapts a user sink function (plain or object) to the sink SPI; the function gets the context. */
export class FunctionSink<T> implements Sink<T> {
  constructor(
    private readonly fn: SinkFn<T> | SinkFunction<T>,
    readonly name = 'sink',
  ) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'function' };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const fn = this.fn;
    const fctx = ctx.functionContext;
    if (typeof fn === 'function') {
      return {
        write(values, _ts, count) {
          for (let i = 0; i < count; i++) fn(values[i] as T, fctx);
        },
      };
    }
    const target = Object.create(Object.getPrototypeOf(fn) as object) as SinkFunction<T>;
    Object.assign(target, fn);
    return {
      open: () => target.open?.(fctx),
      write(values, _ts, count) {
        for (let i = 0; i < count; i++) target.invoke(values[i] as T, fctx);
      },
      close: () => target.close?.(),
    };
  }
}
