/**
 * Flink's count-window recipe, shared by `KeyedStream.countWindow` and
 * `DataStream.countWindowAll`: a global window with a purging count trigger, or with a slide, a
 * count trigger every `slide` records and a count evictor keeping the last `size`.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import type { Evictor } from '../time/windowing/evictor.ts';
import { CountEvictor } from '../time/windowing/evictors/count-evictor.ts';
import type { Trigger } from '../time/windowing/trigger.ts';
import { CountTrigger } from '../time/windowing/triggers/count-trigger.ts';
import { PurgingTrigger } from '../time/windowing/triggers/purging-trigger.ts';
import type { GlobalWindow } from '../core/window.ts';

/** A windowed stream over global windows (keyed or not). */
interface GlobalWindowed<T> {
  trigger(trigger: Trigger<T, GlobalWindow>): this;
  evictor(evictor: Evictor<T, GlobalWindow>): this;
}

/** Configures `windowed` as count windows of `size` (sliding by `slide`); `method` names errors. */
export function countWindows<T, S extends GlobalWindowed<T>>(
  windowed: S,
  method: string,
  size: number,
  slide: number | undefined,
): S {
  for (const [what, n] of [
    ['size', size],
    ['slide', slide],
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      const args = slide === undefined ? `${size}` : `${size}, ${slide}`;
      throw userError('INVALID_JOB', `${method}(${args}): the ${what} must be a positive integer`, {
        hint: `${method}(100) fires every 100 records; ${method}(100, 10) fires every 10 with the last 100`,
      });
    }
  }
  if (slide === undefined) {
    return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)) as Trigger<T, GlobalWindow>);
  }
  return windowed
    .evictor(CountEvictor.of(size))
    .trigger(CountTrigger.of(slide) as Trigger<T, GlobalWindow>);
}
