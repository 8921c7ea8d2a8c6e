/**
 * What a window operator node carries beside the plan (in its binding's `extra.window`): the
 * assigner, trigger, lateness settings and how contents are kept and emitted.
 *
 * @module
 */
import type { ProcessWindowFunction } from '../../core/functions/process-window-function.ts';
import type { AggregateFunction } from '../../core/state-descriptor.ts';
import type { Evictor } from './evictor.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';
import type { Window } from '../../core/window.ts';

/** How a window keeps its contents. */
export type WindowContentsSpec =
  | { readonly kind: 'reduce'; readonly reduce: (a: unknown, b: unknown) => unknown }
  | { readonly kind: 'aggregate'; readonly aggregate: AggregateFunction<unknown, unknown, unknown> }
  | { readonly kind: 'list' };

/** Everything the window operator needs. */
export interface WindowSpec {
  readonly assigner: WindowAssigner<unknown, Window>;
  readonly trigger: Trigger<unknown, Window>;
  /** Whether the user replaced the assigner's default trigger. */
  readonly customTrigger: boolean;
  /** Milliseconds after a window's end during which late records still update (and re-fire) it. */
  readonly allowedLateness: number;
  /** Side-output tag id for records too late for every window. */
  readonly lateTag: string | undefined;
  readonly contents: WindowContentsSpec;
  /**
   * Removes records when a window fires (Flink's evicting window operator): the contents are then
   * every record with its timestamp, and the function is applied at firing time.
   */
  readonly evictor: Evictor<unknown, Window> | undefined;
  /** Called with the contents (or the one aggregated result) when a window fires. */
  readonly process: ProcessWindowFunction<unknown, unknown, unknown, Window> | undefined;
}
