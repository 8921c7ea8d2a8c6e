/**
 * `WindowedStream<T, K, W>`: a keyed stream cut into windows by an assigner; a trigger decides
 * when windows fire and a window function turns their contents into results.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import type { AggregateFunction } from '../core/state-descriptor.ts';
import { toMillis, type Duration } from '../util/duration.ts';
import type { Evictor } from '../time/windowing/evictor.ts';
import type { Trigger } from '../time/windowing/trigger.ts';
import { isMergingAssigner, type WindowAssigner } from '../time/windowing/window-assigner.ts';
import type { WindowContentsSpec, WindowSpec } from '../time/windowing/window-spec.ts';
import type { TimeWindow, Window } from '../core/window.ts';
import type {
  ProcessWindowFn,
  ProcessWindowFunction,
} from '../core/functions/process-window-function.ts';
import type { ReduceFunction } from '../core/functions/reduce-function.ts';
import type { OutputTag } from '../core/output-tag.ts';
import { DataStream, functionName } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

/**
 * A keyed stream with windows.
 *
 * @example
 * ```ts
 * const late = new OutputTag<Click>('late');
 * const counts = clicks
 *   .keyBy((c) => c.page)
 *   .window(TumblingEventTimeWindows.of('1m'))
 *   .allowedLateness('10s')
 *   .sideOutputLateData(late)
 *   .aggregate({
 *     createAccumulator: () => 0,
 *     add: (_c, n) => n + 1,
 *     getResult: (n) => n,
 *     merge: (a, b) => a + b,
 *   });
 * counts.getSideOutput(late).print('late');
 * ```
 */
export class WindowedStream<T, K, W extends Window = TimeWindow> {
  private triggerFn: Trigger<T, W> | undefined;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;
  private evictorFn: Evictor<T, W> | undefined;

  /** @internal Use `keyedStream.window(assigner)`. */
  constructor(
    readonly input: KeyedStream<K, T>,
    readonly assigner: WindowAssigner<T, W>,
    /** @internal Set by `windowAll`: one non-parallel subtask. */
    private readonly nonParallel = false,
  ) {
    if (
      assigner === null ||
      typeof assigner !== 'object' ||
      typeof assigner.assignWindows !== 'function'
    ) {
      throw userError('INVALID_ARGUMENT', 'window() takes a window assigner', {
        hint: "use e.g. TumblingEventTimeWindows.of('1m') or EventTimeSessionWindows.withGap('30m')",
      });
    }
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    if (isMergingAssigner(this.assigner) && trigger.canMerge?.() !== true) {
      throw userError('INVALID_JOB', 'session (merging) windows need a trigger that can merge', {
        hint: 'implement canMerge() { return true } and onMerge() in the trigger',
      });
    }
    this.triggerFn = trigger;
    return this;
  }

  /**
   * Keeps windows for `lateness` after the watermark passed their end: a late record updates its
   * window and fires it again. Records later than that are dropped (counted in the operator's
   * `late_records_dropped`) or sent to {@link WindowedStream.sideOutputLateData}.
   */
  allowedLateness(lateness: Duration): this {
    this.lateness = toMillis(lateness, 'allowedLateness');
    return this;
  }

  /**
   * Removes records when a window fires, before and/or after the window function (Flink's
   * `evictor()`). The window then keeps every record until it fires, and a reduce or aggregate
   * function runs at firing time over what the evictor kept.
   *
   * @example
   * ```ts
   * // Every 10 records of a key, the sum of its last 100.
   * keyed
   *   .window(GlobalWindows.create())
   *   .trigger(CountTrigger.of(10))
   *   .evictor(CountEvictor.of(100))
   *   .reduce((a, b) => ({ ...a, amount: a.amount + b.amount }));
   * ```
   */
  evictor(evictor: Evictor<T, W>): this {
    this.evictorFn = evictor;
    return this;
  }

  /** Sends records that arrive after all their windows closed to a side output. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /** Combines the records of each window with `fn`; optionally passes the result to `process`. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<O>(
    fn: ReduceFunction<T>,
    process: ProcessWindowFunction<T, O, K, W> | ProcessWindowFn<T, O, K, W>,
  ): DataStream<O>;
  reduce<O>(
    fn: ReduceFunction<T>,
    process?: ProcessWindowFunction<T, O, K, W> | ProcessWindowFn<T, O, K, W>,
  ): DataStream<O> {
    if (typeof fn !== 'function') {
      throw userError('INVALID_JOB', 'reduce() takes a function (a, b) => combined', {
        hint: 'write .reduce((a, b) => ({ ...a, n: a.n + b.n }))',
      });
    }
    return this.build<O>(
      { kind: 'reduce', reduce: fn as (a: unknown, b: unknown) => unknown },
      process,
      functionName(fn, 'Reduce'),
    );
  }

  /**
   * Aggregates each window incrementally (one accumulator per window, or per slice for sliding
   * windows); optionally passes the result to `process`.
   */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, O>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessWindowFunction<V, O, K, W> | ProcessWindowFn<V, O, K, W>,
  ): DataStream<O>;
  aggregate<ACC, V, O>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, O, K, W> | ProcessWindowFn<V, O, K, W>,
  ): DataStream<O> {
    const missing = ['createAccumulator', 'add', 'getResult'].filter(
      (m) => typeof (fn as unknown as Record<string, unknown>)?.[m] !== 'function',
    );
    if (missing.length > 0) {
      throw userError(
        'INVALID_JOB',
        `aggregate() needs ${missing.map((m) => `${m}()`).join(', ')}`,
        {
          hint: 'pass { createAccumulator, add, getResult, merge }',
        },
      );
    }
    if (isMergingAssigner(this.assigner) && typeof fn.merge !== 'function') {
      throw userError('INVALID_JOB', 'session windows merge, so their aggregate needs merge()', {
        hint: 'add merge(a, b) to the AggregateFunction (it combines the accumulators of two sessions)',
      });
    }
    return this.build<O>(
      { kind: 'aggregate', aggregate: fn as AggregateFunction<unknown, unknown, unknown> },
      process as ProcessWindowFunction<unknown, O, K, W> | undefined,
      functionName(fn, 'Aggregate'),
    );
  }

  /** Emits each window through `fn`, which receives all of its records. */
  process<O>(fn: ProcessWindowFunction<T, O, K, W> | ProcessWindowFn<T, O, K, W>): DataStream<O> {
    return this.build<O>({ kind: 'list' }, fn, functionName(fn, 'ProcessWindow'));
  }

  private build<O>(
    contents: WindowContentsSpec,
    process: ProcessWindowFunction<never, O, K, W> | ProcessWindowFn<never, O, K, W> | undefined,
    fnName: string,
  ): DataStream<O> {
    let pwf: ProcessWindowFunction<unknown, unknown, unknown, Window> | undefined;
    if (process !== undefined) {
      if (typeof process === 'function') {
        const f = process as unknown as ProcessWindowFn<unknown, unknown, unknown, Window>;
        pwf = { process: f };
      } else if (typeof (process as { process?: unknown }).process === 'function') {
        pwf = process as unknown as ProcessWindowFunction<unknown, unknown, unknown, Window>;
      } else {
        throw userError(
          'INVALID_JOB',
          'a window function needs process(key, context, elements, out)',
          {
            hint: 'pass a function or an object with a process() method',
          },
        );
      }
    }
    const trigger = (this.triggerFn ?? this.assigner.getDefaultTrigger()) as Trigger<
      unknown,
      Window
    >;
    const spec: WindowSpec = {
      assigner: this.assigner as WindowAssigner<unknown, Window>,
      trigger,
      customTrigger: this.triggerFn !== undefined,
      allowedLateness: this.lateness,
      lateTag: this.lateTag?.id,
      contents,
      evictor: this.evictorFn as Evictor<unknown, Window> | undefined,
      process: pwf,
    };
    const assignerName = String(this.assigner.describe()['kind'] ?? 'Window');
    const t = this.input.env._addTransformation({
      kind: 'window',
      name: `Window(${assignerName}, ${fnName})`,
      keyed: true,
      ...(this.nonParallel ? { maxParallelism: 1 } : {}),
      inputs: [
        {
          ports: this.input.ports,
          partitioning: 'hash',
          keySelector: this.input.keySelector as (v: never) => unknown,
        },
      ],
      settings: spec,
      config: {
        assigner: this.assigner.describe(),
        trigger: trigger.describe?.() ?? 'custom',
        allowedLatenessMs: this.lateness,
        contents: contents.kind,
        ...(this.evictorFn !== undefined
          ? { evictor: this.evictorFn.describe?.() ?? { kind: 'custom' } }
          : {}),
        ...(this.lateTag !== undefined ? { lateDataTag: this.lateTag.id } : {}),
      },
      sideOutputs: this.lateTag !== undefined ? [this.lateTag.id] : [],
    });
    if (this.nonParallel) t.parallelism = 1;
    return new DataStream<O>(this.input.env, [{ node: t.id, tag: undefined }], t);
  }
}
