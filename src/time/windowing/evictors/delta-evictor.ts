import type { Evictor, TimestampedValue } from '../evictor.ts';

/** The distance between two records a {@link DeltaEvictor} compares with its threshold. */
export type DeltaFunction<T> = (a: T, b: T) => number;

/**
 * Evicts the records of a window whose delta to its last record is at least `threshold`
 * (Flink's `DeltaEvictor`), before the window function runs or, with `doEvictAfter`, after it.
 *
 * @example
 * ```ts
 * // Keep the readings within 5 degrees of the latest one.
 * DeltaEvictor.of(5, (a: Reading, b: Reading) => Math.abs(a.celsius - b.celsius));
 * ```
 */
export class DeltaEvictor<T> implements Evictor<T> {
  private constructor(
    private readonly threshold: number,
    private readonly delta: DeltaFunction<T>,
    private readonly after: boolean,
  ) {}

  /** Evicts records whose `delta(record, last)` is ≥ `threshold`. */
  static of<T>(threshold: number, delta: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    return new DeltaEvictor(threshold, delta, doEvictAfter);
  }

  evictBefore(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? records : this.keep(records);
  }

  evictAfter(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.after ? this.keep(records) : records;
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'DeltaEvictor', threshold: this.threshold, evictAfter: this.after };
  }

  private keep(records: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    const last = records[records.length - 1];
    if (last === undefined) return records;
    return records.filter((r) => this.delta(r.value, last.value) < this.threshold);
  }
}
