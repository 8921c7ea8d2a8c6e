import { toMillis, type Duration } from '../../../util/duration.ts';
import type { Evictor, TimestampedValue } from '../evictor.ts';

/**
 * Keeps the records of a window whose timestamp is within `windowSize` of its newest record's
 * (Flink's `TimeEvictor`: evicts timestamps ≤ newest − windowSize), before the window function
 * runs or, with `doEvictAfter`, after it. Records without timestamps are all kept.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10)).evictor(TimeEvictor.of('1m'));
 * ```
 */
export class TimeEvictor implements Evictor<unknown> {
  private constructor(
    private readonly windowSize: number,
    private readonly after: boolean,
  ) {}

  /** Keeps what is within `windowSize` of the newest record. */
  static of(windowSize: Duration, doEvictAfter = false): TimeEvictor {
    return new TimeEvictor(toMillis(windowSize, 'TimeEvictor.of'), doEvictAfter);
  }

  evictBefore<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? records : this.keep(records);
  }

  evictAfter<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? this.keep(records) : records;
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'TimeEvictor', windowSizeMs: this.windowSize, evictAfter: this.after };
  }

  private keep<T>(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    let newest = Number.NEGATIVE_INFINITY;
    for (const r of records) if (r.timestamp > newest) newest = r.timestamp;
    // No timestamps (processing time without event time): nothing to compare, as in Flink.
    if (newest === Number.NEGATIVE_INFINITY) return records;
    const cutoff = newest - this.windowSize;
    return records.filter((r) => !(r.timestamp <= cutoff));
  }
}
