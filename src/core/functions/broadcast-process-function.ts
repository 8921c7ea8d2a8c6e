/**
 * Functions over a stream connected to a broadcast stream: the broadcast side updates broadcast
 * state (rules, reference data) that the other side reads for every record.
 *
 * @module
 */
import type { MetricGroup } from '../metric-group.ts';
import type { BroadcastState, ReadOnlyBroadcastState } from '../broadcast-state.ts';
import type {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../state-descriptor.ts';
import type { ListState, MapState, ValueState } from '../state.ts';
import type { OutputTag } from '../output-tag.ts';
import type { RuntimeProperties } from '../runtime-properties.ts';
import type { Collector } from './collector.ts';
import type { Context, OnTimerContext, TaskInfo } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/** The context of `processElement`: the usual context plus read-only broadcast state. */
export interface ReadOnlyContext<K = unknown> extends Context<K> {
  /** The broadcast state of a descriptor given to `broadcast(...)`, read-only. */
  getBroadcastState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): ReadOnlyBroadcastState<UK, UV>;
}

/** The context of `onTimer` in a keyed broadcast function. */
export interface ReadOnlyOnTimerContext<K = unknown> extends OnTimerContext<K> {
  getBroadcastState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): ReadOnlyBroadcastState<UK, UV>;
}

/** The context of `processBroadcastElement`: broadcast state is writable; there is no current key. */
export interface BroadcastContext {
  readonly metrics: MetricGroup;
  readonly properties: RuntimeProperties;
  readonly taskInfo: TaskInfo;
  /** Event timestamp of the broadcast record, if it has one. */
  timestamp(): number | undefined;
  currentProcessingTime(): number;
  currentWatermark(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The broadcast state of a descriptor given to `broadcast(...)`, writable. */
  getBroadcastState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): BroadcastState<UK, UV>;
}

/** The broadcast-side context of a keyed function: can also update the state of every key. */
export interface KeyedBroadcastContext<K = unknown> extends BroadcastContext {
  /** Calls `fn` with the key and the state of every key of this subtask that has a value. */
  applyToKeyedState<T>(
    descriptor: ValueStateDescriptor<T>,
    fn: (key: K, state: ValueState<T>) => void,
  ): void;
  applyToKeyedState<T>(
    descriptor: ListStateDescriptor<T>,
    fn: (key: K, state: ListState<T>) => void,
  ): void;
  applyToKeyedState<UK, UV>(
    descriptor: MapStateDescriptor<UK, UV>,
    fn: (key: K, state: MapState<UK, UV>) => void,
  ): void;
}

/**
 * Processes a (non-keyed) stream connected to a broadcast stream.
 *
 * @example
 * ```ts
 * const blocked = new MapStateDescriptor<string, true>('blocked');
 * events.connect(blockList.broadcast(blocked)).process({
 *   processElement(e, ctx, out) {
 *     if (!ctx.getBroadcastState(blocked).contains(e.ip)) out.collect(e);
 *   },
 *   processBroadcastElement(ip, ctx) {
 *     ctx.getBroadcastState(blocked).put(ip, true);
 *   },
 * });
 * ```
 */
export interface BroadcastProcessFunction<IN, BC, OUT> extends RichFunction<unknown> {
  processElement(value: IN, ctx: ReadOnlyContext<unknown>, out: Collector<OUT>): void;
  processBroadcastElement(value: BC, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/**
 * Processes a keyed stream connected to a broadcast stream: keyed state and timers on the keyed
 * side, `applyToKeyedState` on the broadcast side.
 *
 * @example
 * ```ts
 * const bots = new MapStateDescriptor<string, true>('bots');
 * views.keyBy((v) => v.user).connect(botRules.broadcast(bots)).process({
 *   processElement(v, ctx, out) {
 *     out.collect({ ...v, bot: ctx.getBroadcastState(bots).contains(v.user) });
 *   },
 *   processBroadcastElement(rule, ctx) {
 *     ctx.getBroadcastState(bots).put(rule.user, true);
 *   },
 * });
 * ```
 */
export interface KeyedBroadcastProcessFunction<K, IN, BC, OUT> extends RichFunction<K> {
  processElement(value: IN, ctx: ReadOnlyContext<K>, out: Collector<OUT>): void;
  processBroadcastElement(value: BC, ctx: KeyedBroadcastContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: ReadOnlyOnTimerContext<K>, out: Collector<OUT>): void;
}
