import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { EventTimeTrigger } from '../triggers/event-time-trigger.ts';
import type { TimeWindow } from '../../../core/window.ts';
import { positiveMillis } from './assigner-args.ts';
import { SessionWindows } from './session-windows.ts';

/**
 * Event-time session windows: a record at t opens `[t, t + gap)`, and windows that overlap or touch
 * merge, so a session ends after `gap` without records of its key. Aggregations need `merge()`.
 *
 * @example
 * ```ts
 * keyed.window(EventTimeSessionWindows.withGap('30m')).process(summarizeSession);
 * ```
 */
export class EventTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  /** Sessions that end after `gap` without records. */
  static withGap<T = unknown>(gap: Duration): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(
      positiveMillis(gap, 'gap', 'EventTimeSessionWindows'),
      undefined,
    );
  }
  /** Sessions whose gap is computed per record (in ms; the record that extends a session decides). */
  static withDynamicGap<T>(gapOf: (element: T) => number): EventTimeSessionWindows<T> {
    SessionWindows.checkGapFunction(gapOf, 'EventTimeSessionWindows');
    return new EventTimeSessionWindows<T>(0, gapOf);
  }
  protected timeOf(timestamp: number): number {
    return timestamp;
  }
  protected get kind(): string {
    return 'EventTimeSessionWindows';
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}
