/**
 * `AllWindowedStream<T, W>`: windows over a whole (non-keyed) stream, computed by one
 * non-parallel subtask (Flink's `windowAll`).
 *
 * @module
 */
import type { AggregateFunction } from '../core/state-descriptor.ts';
import type { Duration } from '../util/duration.ts';
import type { Evictor } from '../time/windowing/evictor.ts';
import type { Trigger } from '../time/windowing/trigger.ts';
import type { WindowAssigner } from '../time/windowing/window-assigner.ts';
import type { TimeWindow, Window } from '../core/window.ts';
import type {
  ProcessAllWindowFn,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
} from '../core/functions/process-window-function.ts';
import type { ReduceFunction } from '../core/functions/reduce-function.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { DataStream } from './data-stream.ts';
import { WindowedStream } from './windowed-stream.ts';

/** The one key of a non-keyed window: every record goes to the same (single) subtask. */
const ALL = (): number => 0;

/**
 * A non-keyed stream with windows (parallelism 1).
 *
 * @example
 * ```ts
 * const perMinute = events
 *   .windowAll(TumblingEventTimeWindows.of('1m'))
 *   .process((ctx, events, out) => out.collect({ end: ctx.window.end, n: events.length }));
 * ```
 */
export class AllWindowedStream<T, W extends Window = TimeWindow> {
  private readonly inner: WindowedStream<T, number, W>;

  /** @internal Use `dataStream.windowAll(assigner)`. */
  constructor(input: DataStream<T>, assigner: WindowAssigner<T, W>) {
    this.inner = new WindowedStream<T, number, W>(input.keyBy(ALL), assigner, true);
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    this.inner.trigger(trigger);
    return this;
  }

  /** See {@link WindowedStream.evictor}. */
  evictor(evictor: Evictor<T, W>): this {
    this.inner.evictor(evictor);
    return this;
  }

  /** See {@link WindowedStream.allowedLateness}. */
  allowedLateness(lateness: Duration): this {
    this.inner.allowedLateness(lateness);
    return this;
  }

  /** See {@link WindowedStream.sideOutputLateData}. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.inner.sideOutputLateData(tag);
    return this;
  }

  /** Combines the records of each window; optionally passes the result to `process`. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<O>(
    fn: ReduceFunction<T>,
    process: ProcessAllWindowFunction<T, O, W> | ProcessAllWindowFn<T, O, W>,
  ): DataStream<O>;
  reduce<O>(
    fn: ReduceFunction<T>,
    process?: ProcessAllWindowFunction<T, O, W> | ProcessAllWindowFn<T, O, W>,
  ): DataStream<O> {
    if (process === undefined) return this.inner.reduce(fn) as unknown as DataStream<O>;
    return this.inner.reduce<O>(fn, adapt(process));
  }

  /** Aggregates each window incrementally; optionally passes the result to `process`. */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, O>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessAllWindowFunction<V, O, W> | ProcessAllWindowFn<V, O, W>,
  ): DataStream<O>;
  aggregate<ACC, V, O>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessAllWindowFunction<V, O, W> | ProcessAllWindowFn<V, O, W>,
  ): DataStream<O> {
    if (process === undefined) return this.inner.aggregate(fn) as unknown as DataStream<O>;
    return this.inner.aggregate<ACC, V, O>(fn, adapt(process));
  }

  /** Emits each window through `fn`, which receives all of its records. */
  process<O>(fn: ProcessAllWindowFunction<T, O, W> | ProcessAllWindowFn<T, O, W>): DataStream<O> {
    return this.inner.process<O>(adapt(fn));
  }
}

function adapt<IN, O, W extends Window>(
  fn: ProcessAllWindowFunction<IN, O, W> | ProcessAllWindowFn<IN, O, W>,
): ProcessWindowFunction<IN, O, number, W> {
  if (typeof fn === 'function')
    return { process: (_k, ctx, elements, out) => fn(ctx, elements, out) };
  return {
    ...(fn.open !== undefined ? { open: (ctx) => fn.open?.(ctx) } : {}),
    ...(fn.close !== undefined ? { close: () => fn.close?.() } : {}),
    process: (_k, ctx, elements, out) => fn.process(ctx, elements, out),
    ...(fn.clear !== undefined ? { clear: (ctx) => fn.clear?.(ctx) } : {}),
  };
}
