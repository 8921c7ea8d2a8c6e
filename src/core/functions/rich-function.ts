import type { Context } from './context.ts';

/** Lifecycle hooks any user function object may have. */
export interface RichFunction<K = unknown> {
  /** Called once per subtask before the first record: get state handles and metrics here. */
  open?(ctx: Context<K>): void | Promise<void>;
  /** Called once when the subtask ends (finished, cancelled or failed). */
  close?(): void | Promise<void>;
}
