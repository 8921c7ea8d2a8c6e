import { ValueStateDescriptor } from '../../../core/state-descriptor.ts';
import { toMillis, type Duration } from '../../../util/duration.ts';
import type { Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

const NEXT_FIRE = new ValueStateDescriptor<number>('continuous-event-time-trigger');

/**
 * Fires a window every `interval` of event time (early results) and at its end.
 *
 * @example
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of('1h')).trigger(ContinuousEventTimeTrigger.of('1m'));
 * ```
 */
export class ContinuousEventTimeTrigger implements Trigger<unknown, Window> {
  private constructor(private readonly interval: number) {}
  /** Fires every `interval` of event time. */
  static of(interval: Duration): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(positive(interval));
  }
  onElement(_e: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const max = window.maxTimestamp();
    if (max <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(max);
    const state = ctx.getPartitionedState(NEXT_FIRE);
    if (state.value() === undefined)
      this.registerNext(timestamp - (timestamp % this.interval), window, ctx);
    return 'CONTINUE';
  }
  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const state = ctx.getPartitionedState(NEXT_FIRE);
    if (state.value() === time) {
      state.clear();
      this.registerNext(time, window, ctx);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(_w: Window, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(NEXT_FIRE);
    const t = state.value();
    if (t !== undefined) {
      ctx.deleteEventTimeTimer(t);
      state.clear();
    }
  }
  private registerNext(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    ctx.getPartitionedState(NEXT_FIRE).update(next);
    ctx.registerEventTimeTimer(next);
  }
  describe(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
}

/** @internal */
export function positive(d: Duration): number {
  const ms = toMillis(d, 'interval');
  if (ms <= 0) throw new RangeError('the interval must be positive');
  return ms;
}
