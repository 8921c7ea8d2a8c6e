import type { Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

/**
 * Fires a window once the watermark passes its end (the default of event-time assigners). A
 * record for a window the watermark has already passed (allowed lateness) fires it again at once.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(EventTimeTrigger.create());
 * ```
 */
export class EventTimeTrigger implements Trigger<unknown, Window> {
  private static readonly instance = new EventTimeTrigger();
  private constructor() {}
  /** The trigger (stateless, shared). */
  static create(): EventTimeTrigger {
    return EventTimeTrigger.instance;
  }
  onElement(_e: unknown, _t: number, window: Window, ctx: TriggerContext): TriggerResult {
    const max = window.maxTimestamp();
    if (max <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(max);
    return 'CONTINUE';
  }
  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: Window, ctx: TriggerContext): void {
    // Only a window the watermark has not passed needs a timer; the others fire on the next record.
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(max);
  }
  describe(): string {
    return 'EventTimeTrigger';
  }
}
