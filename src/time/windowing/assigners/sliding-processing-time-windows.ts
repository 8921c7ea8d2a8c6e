import type { Duration } from '../../../util/duration.ts';
import type { Trigger } from '../trigger.ts';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.ts';
import type {
  AlignedWindowAssigner,
  WindowAssigner,
  WindowAssignerContext,
} from '../window-assigner.ts';
import { TimeWindow } from '../../../core/window.ts';
import { offsetMillis, positiveMillis } from './assigner-args.ts';

/**
 * Overlapping processing-time windows of `size` that start every `slide`: each record belongs to
 * `ceil(size / slide)` windows. Incremental aggregations are kept per slice of
 * `gcd(size, slide)`, so a record costs one update whatever the overlap (ADR 0004).
 *
 * @example
 * ```ts
 * keyed.window(SlidingProcessingTimeWindows.of('10s', '1s')).aggregate(countAggregate);
 * ```
 */
export class SlidingProcessingTimeWindows
  implements WindowAssigner<unknown, TimeWindow>, AlignedWindowAssigner
{
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {}
  /** Windows of `size` every `slide`, optionally shifted by `offset`. */
  static of(size: Duration, slide: Duration, offset?: Duration): SlidingProcessingTimeWindows {
    const s = positiveMillis(size, 'size', 'SlidingProcessingTimeWindows');
    const sl = positiveMillis(slide, 'slide', 'SlidingProcessingTimeWindows');
    return new SlidingProcessingTimeWindows(
      s,
      sl,
      offsetMillis(offset, sl, 'SlidingProcessingTimeWindows'),
    );
  }
  assignWindows(_e: unknown, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const t = ctx.getCurrentProcessingTime();
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.startOf(t, this.offset, this.slide);
    for (let start = lastStart; start > t - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    return windows;
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): Readonly<Record<string, unknown>> {
    return {
      kind: 'SlidingProcessingTimeWindows',
      size: this.size,
      slide: this.slide,
      offset: this.offset,
    };
  }
}
