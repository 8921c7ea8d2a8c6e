import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.ts';
import type { WindowAssignerContext } from '../window-assigner.ts';
import type { TimeWindow } from '../../../core/window.ts';
import { positiveMillis } from './assigner-args.ts';
import { SessionWindows } from './session-windows.ts';

/**
 * Processing-time session windows: a record arriving at time t opens `[t, t + gap)`, and windows
 * that overlap or touch merge, so a session ends after `gap` of wall-clock time without records of
 * its key. Aggregations need `merge()`.
 *
 * @example
 * ```ts
 * keyed.window(ProcessingTimeSessionWindows.withGap('30m')).process(summarizeSession);
 * ```
 */
export class ProcessingTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  /** Sessions that end after `gap` without records. */
  static withGap<T = unknown>(gap: Duration): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(
      positiveMillis(gap, 'gap', 'ProcessingTimeSessionWindows'),
      undefined,
    );
  }
  /** Sessions whose gap is computed per record (in ms; the record that extends a session decides). */
  static withDynamicGap<T>(gapOf: (element: T) => number): ProcessingTimeSessionWindows<T> {
    SessionWindows.checkGapFunction(gapOf, 'ProcessingTimeSessionWindows');
    return new ProcessingTimeSessionWindows<T>(0, gapOf);
  }
  protected timeOf(_timestamp: number, ctx: WindowAssignerContext): number {
    return ctx.getCurrentProcessingTime();
  }
  protected get kind(): string {
    return 'ProcessingTimeSessionWindows';
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
