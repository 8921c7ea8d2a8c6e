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
import { LastTumblingWindow } from './last-tumbling-window.ts';

/**
 * Fixed-size, non-overlapping event-time windows: a record at time t falls into
 * `[t - (t - offset) mod size, ... + size)`.
 *
 * @example
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of('1m')).reduce((a, b) => ({ ...a, n: a.n + b.n }));
 * ```
 */
export class TumblingEventTimeWindows
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
  static of(size: Duration, offset?: Duration): TumblingEventTimeWindows {
    const s = positiveMillis(size, 'size', 'TumblingEventTimeWindows');
    return new TumblingEventTimeWindows(s, offsetMillis(offset, s, 'TumblingEventTimeWindows'));
  }
  // An ES private field: plans are fingerprinted by their JSON, which must not see it.
  readonly #last = new LastTumblingWindow();
  assignWindows(
    _e: unknown,
    timestamp: number,
    _ctx: WindowAssignerContext,
  ): readonly TimeWindow[] {
    return this.#last.of(TimeWindow.startOf(timestamp, this.offset, this.size), this.size);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'TumblingEventTimeWindows', size: this.size, offset: this.offset };
  }
}
