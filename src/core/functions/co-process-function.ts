import type { Collector } from './collector.ts';
import type { Context, OnTimerContext } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** Processes two connected streams; state is shared between both inputs. */
export interface CoProcessFunction<I1, I2, O> extends RichFunction<unknown> {
  processElement1(value: I1, ctx: Context<unknown>, out: Collector<O>): void;
  processElement2(value: I2, ctx: Context<unknown>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<O>): void;
}

/** Processes two keyed streams connected on the same key; keyed state and timers are in scope. */
export interface KeyedCoProcessFunction<K, I1, I2, O> extends RichFunction<K> {
  processElement1(value: I1, ctx: Context<K>, out: Collector<O>): void;
  processElement2(value: I2, ctx: Context<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}
