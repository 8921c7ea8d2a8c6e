import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { EventTimeTrigger } from '../triggers/event-time-trigger.ts';
import type {
  AlignedWindowAssigner,
  WindowAssigner,
  WindowAssignerContext,
} from '../window-assigner.ts';
import { TimeWindow } from '../../../core/window.ts';
import { offsetMillis, positiveMillis } from './assigner-args.ts';

/**
 * Overlapping event-time windows of `size` that start every `slide`: each record belongs to
 * `ceil(size / slide)` windows. Incremental aggregations are kept per slice of
 * `gcd(size, slide)`, so a record costs one update whatever the overlap (ADR 0004).
 *
 * @example
 * ```ts
 * keyed.window(SlidingEventTimeWindows.of('10s', '1s')).aggregate(countAggregate);
 * ```
 */
export class SlidingEventTimeWindows
  implements WindowAssigner<unknown, TimeWindow>, AlignedWindowAssigner
{
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {}
  /** Windows of `size` every `slide`, optionally shifted by `offset`. */
  static of(size: Duration, slide: Duration, offset?: Duration): SlidingEventTimeWindows {
    const s = positiveMillis(size, 'size', 'SlidingEventTimeWindows');
    const sl = positiveMillis(slide, 'slide', 'SlidingEventTimeWindows');
    return new SlidingEventTimeWindows(s, sl, offsetMillis(offset, sl, 'SlidingEventTimeWindows'));
  }
  assignWindows(_e: unknown, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    const t = timestamp;
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.startOf(t, this.offset, this.slide);
    for (let start = lastStart; start > t - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    return windows;
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  describe(): Readonly<Record<string, unknown>> {
    return {
      kind: 'SlidingEventTimeWindows',
      size: this.size,
      slide: this.slide,
      offset: this.offset,
    };
  }
}
