import type { Collector } from './collector.ts';
import type { Context, OnTimerContext } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** A plain process function: `(value, ctx, out)`. */
export type ProcessFn<I, O, K = unknown> = (value: I, ctx: Context<K>, out: Collector<O>) => void;

/**
 * The most general one-input function: records, side outputs, and (on keyed streams) state and
 * timers.
 */
export interface ProcessFunction<I, O> extends RichFunction<unknown> {
  processElement(value: I, ctx: Context<unknown>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<O>): void;
}

/** A process function on a keyed stream: keyed state and timers are in scope. */
export interface KeyedProcessFunction<K, I, O> extends RichFunction<K> {
  processElement(value: I, ctx: Context<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}
