import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** A plain mapping function: one record in, one out. The context comes last. */
export type MapFn<I, O, K = unknown> = (value: I, ctx: Context<K>) => O;

/** An object (or class instance) that maps records. */
export interface MapFunction<I, O, K = unknown> extends RichFunction<K> {
  map(value: I, ctx: Context<K>): O;
}
