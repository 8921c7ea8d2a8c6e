import { userError } from '../../../errors/eddy-error.ts';
import type { Trigger } from '../trigger.ts';
import {
  mergeTimeWindows,
  type MergingWindowAssigner,
  type WindowAssignerContext,
} from '../window-assigner.ts';
import { TimeWindow } from '../../../core/window.ts';

/**
 * What event-time and processing-time session windows share: a record at time t opens
 * `[t, t + gap)` (a fixed or per-record gap), and windows that overlap or touch merge. The
 * subclasses choose the clock and the default trigger.
 */
export abstract class SessionWindows<T> implements MergingWindowAssigner<T> {
  readonly merging = true as const;
  protected constructor(
    private readonly gap: number,
    private readonly gapOf: ((element: T) => number) | undefined,
  ) {}

  /** The time a record opens its session at. */
  protected abstract timeOf(timestamp: number, ctx: WindowAssignerContext): number;
  /** The assigner's name in plans and errors. */
  protected abstract get kind(): string;
  abstract getDefaultTrigger(): Trigger<T, TimeWindow>;
  abstract isEventTime(): boolean;

  /** Validates a dynamic gap function (shared by the `withDynamicGap` factories). */
  protected static checkGapFunction(gapOf: unknown, kind: string): void {
    if (typeof gapOf !== 'function') {
      throw userError(
        'INVALID_ARGUMENT',
        `${kind}.withDynamicGap() takes a function (element) => gap in ms`,
      );
    }
  }

  assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const t = this.timeOf(timestamp, ctx);
    return [new TimeWindow(t, t + this.gapFor(element))];
  }

  /**
   * The gap of the session `element` opens: the fixed gap, or the dynamic gap (checked to be
   * positive). The session window operator reads it without allocating a window per record.
   */
  gapFor(element: T): number {
    if (this.gapOf === undefined) return this.gap;
    const gap = this.gapOf(element);
    if (!(gap > 0)) {
      throw userError('INVALID_ARGUMENT', `the dynamic session gap must be positive, got ${gap}`, {
        hint: 'return a positive number of milliseconds from the gap function',
      });
    }
    return gap;
  }

  mergeWindows(windows: readonly TimeWindow[]): Array<[TimeWindow, TimeWindow[]]> {
    return mergeTimeWindows(windows);
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: this.kind, gap: this.gapOf === undefined ? this.gap : 'dynamic' };
  }
}
