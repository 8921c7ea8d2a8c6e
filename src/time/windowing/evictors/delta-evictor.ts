import type { TimestampedValue } from '../evictor.ts';
import { OneSidedEvictor } from './one-sided-evictor.ts';

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
export class DeltaEvictor<T> extends OneSidedEvictor<T> {
  private constructor(
    private readonly threshold: number,
    private readonly delta: DeltaFunction<T>,
    after: boolean,
  ) {
    super(after);
  }

  /** Evicts records whose `delta(record, last)` is ≥ `threshold`. */
  static of<T>(threshold: number, delta: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    return new DeltaEvictor(threshold, delta, doEvictAfter);
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'DeltaEvictor', threshold: this.threshold, evictAfter: this.after };
  }

  protected keep<V extends T>(
    records: readonly TimestampedValue<V>[],
  ): readonly TimestampedValue<V>[] {
    const last = records[records.length - 1];
    if (last === undefined) return records;
    return records.filter((r) => this.delta(r.value, last.value) < this.threshold);
  }
}
