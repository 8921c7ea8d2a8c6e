/**
 * Flink's rolling aggregations of a keyed stream (`sum`, `min`, `max`, `minBy`, `maxBy`) as reduce
 * functions: for records that are numbers, of the record itself; for objects, of one number field.
 *
 * As in Flink, `sum`, `min` and `max` keep the other fields of the key's *first* record and
 * update only the aggregated field; `minBy` and `maxBy` emit the record that holds the extreme
 * value (on ties the first one, or the latest one with `first = false`). Records are never
 * mutated: each step makes a new object.
 *
 * @module
 */
import type { ReduceFunction } from '../core/functions/reduce-function.ts';

/** The keys of `T` whose values are numbers (the fields a rolling aggregation can aggregate). */
export type NumberField<T> = {
  [F in keyof T]-?: T[F] extends number ? F : never;
}[keyof T] &
  string;

/** Which rolling aggregation. */
export type RollingAggregation = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

function numberOf(record: unknown, field: string | undefined, what: string): number {
  const v = field === undefined ? record : (record as Record<string, unknown>)[field];
  if (typeof v !== 'number') {
    // Thrown inside the operator: the runtime wraps it with the operator's name and source line.
    throw new TypeError(
      `${what}: ${field === undefined ? 'the record' : `the record's field "${field}"`} is ` +
        `${v === null ? 'null' : typeof v}, not a number`,
    );
  }
  return v;
}

/**
 * The reduce function of a rolling aggregation over `field` (or the record itself).
 *
 * @param first - for `minBy`/`maxBy`: keep the earlier record on ties (Flink's default)
 */
export function rollingAggregation<T>(
  kind: RollingAggregation,
  field: string | undefined,
  first = true,
): ReduceFunction<T> {
  const what = `${kind}(${field === undefined ? '' : JSON.stringify(field)})`;
  const set = (acc: T, value: number): T =>
    (field === undefined ? value : { ...acc, [field]: value }) as T;
  switch (kind) {
    case 'sum':
      return (acc, v) => set(acc, numberOf(acc, field, what) + numberOf(v, field, what));
    case 'min':
      return (acc, v) => {
        const a = numberOf(acc, field, what);
        const b = numberOf(v, field, what);
        return b < a ? set(acc, b) : acc;
      };
    case 'max':
      return (acc, v) => {
        const a = numberOf(acc, field, what);
        const b = numberOf(v, field, what);
        return b > a ? set(acc, b) : acc;
      };
    case 'minBy':
      return (acc, v) => {
        const a = numberOf(acc, field, what);
        const b = numberOf(v, field, what);
        return b < a || (!first && b === a) ? v : acc;
      };
    case 'maxBy':
      return (acc, v) => {
        const a = numberOf(acc, field, what);
        const b = numberOf(v, field, what);
        return b > a || (!first && b === a) ? v : acc;
      };
  }
}
