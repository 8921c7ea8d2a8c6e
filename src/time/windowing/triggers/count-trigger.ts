import { userError } from '../../../errors/eddy-error.ts';
import { ValueStateDescriptor } from '../../../core/state-descriptor.ts';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

const COUNT = new ValueStateDescriptor<number>('count-trigger');

/**
 * Fires a window every `n` records (its count is per key and window, kept in keyed state).
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100))).reduce(sum);
 * ```
 */
export class CountTrigger implements Trigger<unknown, Window> {
  private constructor(private readonly maxCount: number) {}
  /** Fires every `n` records. */
  static of(n: number): CountTrigger {
    if (!Number.isInteger(n) || n < 1) {
      throw userError('INVALID_ARGUMENT', `CountTrigger.of() needs a positive integer, got ${n}`);
    }
    return new CountTrigger(n);
  }
  onElement(_e: unknown, _t: number, _w: Window, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(COUNT);
    const count = (state.value() ?? 0) + 1;
    if (count >= this.maxCount) {
      state.clear();
      return 'FIRE';
    }
    state.update(count);
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(_w: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(COUNT).clear();
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_w: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(COUNT, (a, b) => a + b);
  }
  describe(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
