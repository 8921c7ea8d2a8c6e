/**
 * Window assigners put each record into zero or more windows (Flink's `WindowAssigner`).
 *
 * @module
 */
import type { Trigger } from './trigger.ts';
import type { TimeWindow, Window } from '../../core/window.ts';

/** What an assigner may read while assigning. */
export interface WindowAssignerContext {
  /** Processing time (processing-time assigners use it instead of the record's timestamp). */
  getCurrentProcessingTime(): number;
}

/**
 * Assigns records to windows.
 *
 * @example
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of('1m'));
 * ```
 */
export interface WindowAssigner<T, W extends Window = Window> {
  /**
   * The windows `element` (with event timestamp `timestamp`) belongs to. The caller only reads
   * the array: an assigner may return the same one for consecutive records.
   */
  assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): readonly W[];
  /** The trigger used when the user sets none. */
  getDefaultTrigger(): Trigger<T, W>;
  /** Whether windows are in event time (late records and cleanup follow the watermark). */
  isEventTime(): boolean;
  /** A description for the plan. */
  describe(): Readonly<Record<string, unknown>>;
}

/** An assigner whose windows merge (sessions). */
export interface MergingWindowAssigner<T> extends WindowAssigner<T, TimeWindow> {
  /** Marks the assigner as merging. */
  readonly merging: true;
  /**
   * Merges overlapping windows of a sorted (by start) list into covering windows. Returns, for
   * each result window, the input windows it covers.
   */
  mergeWindows(windows: readonly TimeWindow[]): Array<[TimeWindow, TimeWindow[]]>;
}

/** Whether an assigner merges windows. */
export function isMergingAssigner<T>(
  assigner: WindowAssigner<T, Window>,
): assigner is WindowAssigner<T, Window> & MergingWindowAssigner<T> {
  return (assigner as Partial<MergingWindowAssigner<T>>).merging === true;
}

/**
 * Assigners whose windows are aligned intervals of one size sliding by one step (tumbling and
 * sliding); the window operator aggregates those by slices of `gcd(size, slide)`.
 */
export interface AlignedWindowAssigner {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
}

/** Merges sorted-or-not time windows that intersect (Flink's `TimeWindow.mergeWindows`). */
export function mergeTimeWindows(
  windows: readonly TimeWindow[],
): Array<[TimeWindow, TimeWindow[]]> {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const merged: Array<[TimeWindow, TimeWindow[]]> = [];
  let current: [TimeWindow, TimeWindow[]] | undefined;
  for (const w of sorted) {
    if (current === undefined) current = [w, [w]];
    else if (current[0].intersects(w)) {
      current[0] = current[0].cover(w);
      current[1].push(w);
    } else {
      merged.push(current);
      current = [w, [w]];
    }
  }
  if (current !== undefined) merged.push(current);
  return merged;
}
