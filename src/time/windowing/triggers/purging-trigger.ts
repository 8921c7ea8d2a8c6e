import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

/**
 * Wraps a trigger so that every firing also purges the window's contents.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(10)));
 * ```
 */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  private constructor(private readonly nested: Trigger<T, W>) {}
  /** Purges whenever `nested` fires. */
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }
  onElement(e: T, t: number, w: W, ctx: TriggerContext): TriggerResult {
    return purge(this.nested.onElement(e, t, w, ctx));
  }
  onEventTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return purge(this.nested.onEventTime(time, w, ctx));
  }
  onProcessingTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return purge(this.nested.onProcessingTime(time, w, ctx));
  }
  clear(w: W, ctx: TriggerContext): void {
    this.nested.clear(w, ctx);
  }
  canMerge(): boolean {
    return this.nested.canMerge?.() ?? false;
  }
  onMerge(w: W, ctx: OnMergeContext): void {
    this.nested.onMerge?.(w, ctx);
  }
  describe(): string {
    return `PurgingTrigger(${this.nested.describe?.() ?? 'custom'})`;
  }
}

function purge(r: TriggerResult): TriggerResult {
  return r === 'FIRE' || r === 'FIRE_AND_PURGE' ? 'FIRE_AND_PURGE' : r;
}
