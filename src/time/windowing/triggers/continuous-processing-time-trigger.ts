import { ValueStateDescriptor } from '../../../core/state-descriptor.ts';
import type { Duration } from '../../../util/duration.ts';
import type { Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';
import { positive } from './continuous-event-time-trigger.ts';

const NEXT_FIRE = new ValueStateDescriptor<number>('continuous-processing-time-trigger');

/**
 * Fires a window every `interval` of processing time.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(ContinuousProcessingTimeTrigger.of('10s'));
 * ```
 */
export class ContinuousProcessingTimeTrigger implements Trigger<unknown, Window> {
  private constructor(private readonly interval: number) {}
  /** Fires every `interval` of processing time. */
  static of(interval: Duration): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(positive(interval));
  }
  onElement(_e: unknown, _t: number, window: Window, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(NEXT_FIRE);
    if (state.value() === undefined) {
      const now = ctx.getCurrentProcessingTime();
      this.registerNext(now - (now % this.interval), window, ctx);
    }
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(NEXT_FIRE);
    if (state.value() === time) {
      state.clear();
      this.registerNext(time, window, ctx);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  clear(_w: Window, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(NEXT_FIRE);
    const t = state.value();
    if (t !== undefined) {
      ctx.deleteProcessingTimeTimer(t);
      state.clear();
    }
  }
  private registerNext(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    ctx.getPartitionedState(NEXT_FIRE).update(next);
    ctx.registerProcessingTimeTimer(next);
  }
  describe(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
}
