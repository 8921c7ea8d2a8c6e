import { userError } from '../../../errors/eddy-error.ts';
import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { EventTimeTrigger } from '../triggers/event-time-trigger.ts';
import {
  mergeTimeWindows,
  type MergingWindowAssigner,
  type WindowAssignerContext,
} from '../window-assigner.ts';
import { TimeWindow } from '../window.ts';
import { positiveMillis } from './assigner-args.ts';

/**
 * Event-time session windows: a record at t opens `[t, t + gap)`, and windows that overlap or touch
 * merge, so a session ends after `gap` without records of its key. Aggregations need `merge()`.
 *
 * @example
 * ```ts
 * keyed.window(EventTimeSessionWindows.withGap('30m')).process(summarizeSession);
 * ```
 */
export class EventTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T> {
  readonly merging = true as const;
  private constructor(
    private readonly gap: number,
    private readonly gapOf: ((element: T) => number) | undefined,
  ) {}
  /** Sessions that end after `gap` without records. */
  static withGap<T = unknown>(gap: Duration): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(
      positiveMillis(gap, 'gap', 'EventTimeSessionWindows'),
      undefined,
    );
  }
  /** Sessions whose gap is computed per record (in ms; the record that extends a session decides). */
  static withDynamicGap<T>(gapOf: (element: T) => number): EventTimeSessionWindows<T> {
    if (typeof gapOf !== 'function') {
      throw userError(
        'INVALID_ARGUMENT',
        'EventTimeSessionWindows.withDynamicGap() takes a function (element) => gap in ms',
      );
    }
    return new EventTimeSessionWindows<T>(0, gapOf);
  }
  assignWindows(element: T, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    const t = timestamp;
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
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  describe(): Readonly<Record<string, unknown>> {
    return this.gapOf === undefined
      ? { kind: 'EventTimeSessionWindows', gap: this.gap }
      : { kind: 'EventTimeSessionWindows', gap: 'dynamic' };
  }
}
