import type { Trigger } from '../trigger.ts';
import { NeverTrigger } from '../triggers/never-trigger.ts';
import type { WindowAssigner } from '../window-assigner.ts';
import { GlobalWindow } from '../../../core/window.ts';

const ONE: GlobalWindow[] = [GlobalWindow.INSTANCE];

/**
 * Puts every record of a key into one global window that never ends; give it a trigger.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100))).reduce(sum);
 * ```
 */
export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  private static readonly instance = new GlobalWindows();
  private constructor() {}
  /** The assigner (stateless, shared). */
  static create(): GlobalWindows {
    return GlobalWindows.instance;
  }
  assignWindows(): GlobalWindow[] {
    // The same array every time: the operator only reads it.
    return ONE;
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return NeverTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'GlobalWindows' };
  }
}
