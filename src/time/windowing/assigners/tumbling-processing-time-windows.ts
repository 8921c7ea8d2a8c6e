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
import { LastTumblingWindow } from './last-tumbling-window.ts';

/**
 * Fixed-size, non-overlapping processing-time windows: a record at time t falls into
 * `[t - (t - offset) mod size, ... + size)`.
 *
 * @example
 * ```ts
 * keyed.window(TumblingProcessingTimeWindows.of('1m')).reduce((a, b) => ({ ...a, n: a.n + b.n }));
 * ```
 */
export class TumblingProcessingTimeWindows
  implements WindowAssigner<unknown, TimeWindow>, AlignedWindowAssigner
{
  readonly slide: number;
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    this.slide = size;
  }
  /** Windows of `size`, optionally shifted by `offset` (e.g. for time zones). */
  static of(size: Duration, offset?: Duration): TumblingProcessingTimeWindows {
    const s = positiveMillis(size, 'size', 'TumblingProcessingTimeWindows');
    return new TumblingProcessingTimeWindows(
      s,
      offsetMillis(offset, s, 'TumblingProcessingTimeWindows'),
    );
  }
  // An ES private field: plans are fingerprinted by their JSON, which must not see it.
  readonly #last = new LastTumblingWindow();
  assignWindows(
    _e: unknown,
    _timestamp: number,
    ctx: WindowAssignerContext,
  ): readonly TimeWindow[] {
    const start = TimeWindow.startOf(ctx.getCurrentProcessingTime(), this.offset, this.size);
    return this.#last.of(start, this.size);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'TumblingProcessingTimeWindows', size: this.size, offset: this.offset };
  }
}
