import type { Evictor, TimestampedValue } from '../evictor.ts';

/**
 * The built-in evictors' shape (Flink's `doEvictAfter`): one rule for which records stay, applied
 * either before the window function or after it.
 */
export abstract class OneSidedEvictor<T> implements Evictor<T> {
  protected constructor(protected readonly after: boolean) {}

  evictBefore<V extends T>(
    records: readonly TimestampedValue<V>[],
  ): readonly TimestampedValue<V>[] {
    return this.after ? records : this.keep(records);
  }

  evictAfter<V extends T>(records: readonly TimestampedValue<V>[]): readonly TimestampedValue<V>[] {
    return this.after ? this.keep(records) : records;
  }

  abstract describe(): Readonly<Record<string, unknown>>;

  /** The records that stay. */
  protected abstract keep<V extends T>(
    records: readonly TimestampedValue<V>[],
  ): readonly TimestampedValue<V>[];
}
