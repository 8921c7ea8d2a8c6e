import type { Collector } from './collector.ts';
import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/**
 * A plain function that emits zero or more records per input: through `out.collect(x)`, or by
 * returning them (an array or any iterable), which lets TypeScript infer the output type.
 */
export type FlatMapFn<I, O, K = unknown> = (
  value: I,
  out: Collector<O>,
  ctx: Context<K>,
) => void | Iterable<O>;

/** An object (or class instance) that emits zero or more records per input. */
export interface FlatMapFunction<I, O, K = unknown> extends RichFunction<K> {
  flatMap(value: I, out: Collector<O>, ctx: Context<K>): void;
}
