/**
 * Functions applied to the contents of a window when it fires.
 *
 * @module
 */
import type { MetricGroup } from '../metric-group.ts';
import type { Window } from '../window.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** Keyed state handles: per window (`windowState()`) or per key (`globalState()`). */
export type KeyedStateStore = Pick<
  Context,
  'getState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState'
>;

/** What a {@link ProcessWindowFunction} knows about the window being emitted. */
export interface ProcessWindowContext<W extends Window = Window> {
  /** The window (`start`, `end` for time windows). */
  readonly window: W;
  /** Metrics of the operator. */
  readonly metrics: MetricGroup;
  /** The operator's current event-time watermark. */
  currentWatermark(): number;
  /** The operator's processing time. */
  currentProcessingTime(): number;
  /**
   * State of the current key scoped to this window (clear it in `clear()`). Not available with
   * merging (session) windows, as in Flink: it throws a `STATE_ERROR` there.
   */
  windowState(): KeyedStateStore;
  /** State of the current key across all its windows. */
  globalState(): KeyedStateStore;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The plain-function form of a {@link ProcessWindowFunction}. */
export type ProcessWindowFn<IN, OUT, K, W extends Window = Window> = (
  key: K,
  context: ProcessWindowContext<W>,
  elements: readonly IN[],
  out: Collector<OUT>,
) => void;

/**
 * Receives all elements of a window (or the one pre-aggregated result when combined with
 * `reduce`/`aggregate`) with its key and window.
 *
 * @example
 * ```ts
 * keyed.window(EventTimeSessionWindows.withGap('30m')).process({
 *   process(user, ctx, events, out) {
 *     out.collect({ user, start: ctx.window.start, end: ctx.window.end, events: events.length });
 *   },
 * });
 * ```
 */
export interface ProcessWindowFunction<
  IN,
  OUT,
  K,
  W extends Window = Window,
> extends RichFunction<K> {
  process(
    key: K,
    context: ProcessWindowContext<W>,
    elements: readonly IN[],
    out: Collector<OUT>,
  ): void;
  /** Called when the window is discarded: clear per-window state here. */
  clear?(context: ProcessWindowContext<W>): void;
}

/** `windowAll`'s window function: as {@link ProcessWindowFunction}, without a key. */
export interface ProcessAllWindowFunction<
  IN,
  OUT,
  W extends Window = Window,
> extends RichFunction<unknown> {
  process(context: ProcessWindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
  clear?(context: ProcessWindowContext<W>): void;
}

/** The plain-function form of a {@link ProcessAllWindowFunction}. */
export type ProcessAllWindowFn<IN, OUT, W extends Window = Window> = (
  context: ProcessWindowContext<W>,
  elements: readonly IN[],
  out: Collector<OUT>,
) => void;
