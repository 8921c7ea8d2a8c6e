import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** A plain function called for each record that reaches a sink. */
export type SinkFn<T> = (value: T, ctx: Context<unknown>) => void;

/** An object sink function with lifecycle hooks. */
export interface SinkFunction<T> extends RichFunction<unknown> {
  invoke(value: T, ctx: Context<unknown>): void;
}
