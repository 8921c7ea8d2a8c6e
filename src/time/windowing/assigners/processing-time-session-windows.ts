import { userError } from '../../../errors/eddy-error.ts';
import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.ts';
import {
  mergeTimeWindows,
  type MergingWindowAssigner,
  type WindowAssignerContext,
} from '../window-assigner.ts';
import { TimeWindow } from '../window.ts';
import { positiveMillis } from './assigner-args.ts';

/**
 * Processing-time session windows: a record at t opens `[t, t + gap)`, and windows that overlap or touch
 * merge, so a session ends after `gap` without records of its key. Aggregations need `merge()`.
 *
 * @example
 * ```ts
 * keyed.window(ProcessingTimeSessionWindows.withGap('30m')).process(summarizeSession);
 * ```
 */
export class ProcessingTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T> {
  readonly merging = true as const;
  private constructor(
    private readonly gap: number,
    private readonly gapOf: ((element: T) => number) | undefined,
  ) {}
  /** Sessions that end after `gap` without records. */
  static withGap<T = unknown>(gap: Duration): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(
      positiveMillis(gap, 'gap', 'ProcessingTimeSessionWindows'),
      undefined,
    );
  }
  /** Sessions whose gap is computed per record (in ms; the record that extends a session decides). */
  static withDynamicGap<T>(gapOf: (element: T) => number): ProcessingTimeSessionWindows<T> {
    if (typeof gapOf !== 'function') {
      throw userError(
        'INVALID_ARGUMENT',
        'ProcessingTimeSessionWindows.withDynamicGap() takes a function (element) => gap in ms',
      );
    }
    return new ProcessingTimeSessionWindows<T>(0, gapOf);
  }
  assignWindows(element: T, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const t = ctx.getCurrentProcessingTime();
    let gap = this.gap;
    if (this.gapOf !== undefined) {
      gap = this.gapOf(element);
      if (!(gap > 0)) {
        throw userError(
          'INVALID_ARGUMENT',
          `the dynamic session gap must be positive, got ${gap}`,
          {
            hint: 'return a positive number of milliseconds from the gap function',
          },
        );
      }
    }
    return [new TimeWindow(t, t + gap)];
  }
  mergeWindows(windows: readonly TimeWindow[]): Array<[TimeWindow, TimeWindow[]]> {
    return mergeTimeWindows(windows);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): Readonly<Record<string, unknown>> {
    return this.gapOf === undefined
      ? { kind: 'ProcessingTimeSessionWindows', gap: this.gap }
      : { kind: 'ProcessingTimeSessionWindows', gap: 'dynamic' };
  }
}
