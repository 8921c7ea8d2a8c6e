import type { Trigger, TriggerResult } from '../trigger.ts';
import type { Window } from '../../../core/window.ts';

/** Never fires: the default of {@link GlobalWindows}, which needs a trigger of the user's choice. */
export class NeverTrigger implements Trigger<unknown, Window> {
  private static readonly instance = new NeverTrigger();
  private constructor() {}
  /** The trigger (stateless, shared). */
  static create(): NeverTrigger {
    return NeverTrigger.instance;
  }
  onElement(): TriggerResult {
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(): void {}
  canMerge(): boolean {
    return true;
  }
  onMerge(): void {}
  describe(): string {
    return 'NeverTrigger';
  }
}
