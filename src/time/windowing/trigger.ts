/**
 * Triggers decide when a window's contents are emitted (Flink's `Trigger`).
 *
 * @module
 */
import type { ValueState } from '../../core/state.ts';
import type { ValueStateDescriptor } from '../../core/state-descriptor.ts';
import type { Window } from '../../core/window.ts';

/** What a trigger asks the window operator to do. */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/** What a trigger may do: timers and per-window state of the current key and window. */
export interface TriggerContext {
  /** The operator's current event-time watermark. */
  getCurrentWatermark(): number;
  /** The operator's processing time. */
  getCurrentProcessingTime(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** State scoped to the current key and window (e.g. a count). */
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
}

/** Passed to {@link Trigger.onMerge}: a trigger context that can also merge per-window state. */
export interface OnMergeContext extends TriggerContext {
  /** The windows that were merged into the current one. */
  readonly mergedWindows: readonly Window[];
  /** Combines the state of the merged windows into the current window's state. */
  mergePartitionedState<T>(descriptor: ValueStateDescriptor<T>, merge: (a: T, b: T) => T): void;
}

/**
 * Decides when a window fires and when it is purged.
 *
 * @example
 * ```ts
 * // fire every 100 records or at the end of the window, whichever comes first
 * const trigger: Trigger<Click, TimeWindow> = {
 *   onElement: (_e, _t, w, ctx) => { ctx.registerEventTimeTimer(w.maxTimestamp()); return 'CONTINUE'; },
 *   onEventTime: (t, w) => (t === w.maxTimestamp() ? 'FIRE' : 'CONTINUE'),
 *   onProcessingTime: () => 'CONTINUE',
 *   clear: (w, ctx) => ctx.deleteEventTimeTimer(w.maxTimestamp()),
 * };
 * keyed.window(TumblingEventTimeWindows.of('1m')).trigger(trigger).reduce(sum);
 * ```
 */
export interface Trigger<T, W extends Window = Window> {
  /** Called for every record added to a window. */
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer of this window fires. */
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer of this window fires. */
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Removes the trigger's timers and state of the window (the window is being discarded). */
  clear(window: W, ctx: TriggerContext): void;
  /** Whether the trigger supports merging windows (sessions). */
  canMerge?(): boolean;
  /** Called when windows were merged into `window`. */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** A description for the plan. */
  describe?(): string;
}
