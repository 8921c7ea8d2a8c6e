import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** A plain predicate: keep the record when it returns true. The context comes last. */
export type FilterFn<T, K = unknown> = (value: T, ctx: Context<K>) => boolean;

/** An object (or class instance) that filters records. */
export interface FilterFunction<T, K = unknown> extends RichFunction<K> {
  filter(value: T, ctx: Context<K>): boolean;
}
