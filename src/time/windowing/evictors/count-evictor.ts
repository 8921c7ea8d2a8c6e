import { userError } from '../../../errors/eddy-error.ts';
import type { Evictor, TimestampedValue } from '../evictor.ts';

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
export class CountEvictor implements Evictor<unknown> {
  private constructor(
    private readonly maxCount: number,
    private readonly after: boolean,
  ) {}

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

  evictBefore<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? records : this.keep(records);
  }

  evictAfter<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? this.keep(records) : records;
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'CountEvictor', maxCount: this.maxCount, evictAfter: this.after };
  }

  private keep<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return records.length > this.maxCount ? records.slice(records.length - this.maxCount) : records;
  }
}
