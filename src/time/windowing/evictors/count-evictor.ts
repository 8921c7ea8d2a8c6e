import { userError } from '../../../errors/eddy-error.ts';
import type { TimestampedValue } from '../evictor.ts';
import { OneSidedEvictor } from './one-sided-evictor.ts';

/**
 * Keeps the last `maxCount` records of a window (Flink's `CountEvictor`), before the window
 * function runs or, with `doEvictAfter`, after it.
 *
 * @example
 * ```ts
 * // The last 100 records of each key, every 10 records (what countWindow(100, 10) does).
 * keyed.window(GlobalWindows.create()).evictor(CountEvictor.of(100)).trigger(CountTrigger.of(10));
 * ```
 */
export class CountEvictor extends OneSidedEvictor<unknown> {
  private constructor(
    private readonly maxCount: number,
    after: boolean,
  ) {
    super(after);
  }

  /** Keeps the last `maxCount` records (before the function, or after it with `doEvictAfter`). */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isInteger(maxCount) || maxCount < 1) {
      throw userError(
        'INVALID_ARGUMENT',
        `CountEvictor.of() needs a positive integer, got ${maxCount}`,
      );
    }
    return new CountEvictor(maxCount, doEvictAfter);
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'CountEvictor', maxCount: this.maxCount, evictAfter: this.after };
  }

  protected keep<V>(records: readonly TimestampedValue<V>[]): readonly TimestampedValue<V>[] {
    return records.length > this.maxCount ? records.slice(records.length - this.maxCount) : records;
  }
}
