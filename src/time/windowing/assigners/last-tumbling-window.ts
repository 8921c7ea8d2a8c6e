import { TimeWindow } from '../../../core/window.ts';

/**
 * The window a tumbling assigner returned last, returned again while records keep falling into
 * it. Records come mostly in time order, so most fall into the window of the record before:
 * reusing it saves a {@link TimeWindow}, its namespace string (two number-to-string conversions)
 * and an array per record. Windows are immutable and the array is frozen (callers only read it).
 */
export class LastTumblingWindow {
  private windows: readonly TimeWindow[] = [];

  /** `[new TimeWindow(start, start + size)]`, or the same array as the last call for `start`. */
  of(start: number, size: number): readonly TimeWindow[] {
    const last = this.windows;
    if (last.length === 1 && (last[0] as TimeWindow).start === start) return last;
    const windows = Object.freeze([new TimeWindow(start, start + size)]);
    this.windows = windows;
    return windows;
  }
}
