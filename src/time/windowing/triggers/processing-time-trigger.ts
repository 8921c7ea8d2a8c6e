import type { Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

/**
 * Fires a window when the processing-time clock passes its end (the default of processing-time
 * assigners).
 *
 * @example
 * ```ts
 * keyed.window(TumblingProcessingTimeWindows.of('10s')).trigger(ProcessingTimeTrigger.create());
 * ```
 */
export class ProcessingTimeTrigger implements Trigger<unknown, Window> {
  private static readonly instance = new ProcessingTimeTrigger();
  private constructor() {}
  /** The trigger (stateless, shared). */
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.instance;
  }
  onElement(_e: unknown, _t: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: Window, ctx: TriggerContext): void {
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  }
  describe(): string {
    return 'ProcessingTimeTrigger';
  }
}
