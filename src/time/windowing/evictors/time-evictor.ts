import { toMillis, type Duration } from '../../../util/duration.ts';
import type { TimestampedValue } from '../evictor.ts';
import { OneSidedEvictor } from './one-sided-evictor.ts';

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
export class TimeEvictor extends OneSidedEvictor<unknown> {
  private constructor(
    private readonly windowSize: number,
    after: boolean,
  ) {
    super(after);
  }

  /** Keeps what is within `windowSize` of the newest record. */
  static of(windowSize: Duration, doEvictAfter = false): TimeEvictor {
    return new TimeEvictor(toMillis(windowSize, 'TimeEvictor.of'), doEvictAfter);
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'TimeEvictor', windowSizeMs: this.windowSize, evictAfter: this.after };
  }

  protected keep<V>(records: readonly TimestampedValue<V>[]): readonly TimestampedValue<V>[] {
    let newest = Number.NEGATIVE_INFINITY;
    for (const r of records) if (r.timestamp > newest) newest = r.timestamp;
    // No timestamps (processing time without event time): nothing to compare, as in Flink.
    if (newest === Number.NEGATIVE_INFINITY) return records;
    const cutoff = newest - this.windowSize;
    return records.filter((r) => !(r.timestamp <= cutoff));
  }
}
