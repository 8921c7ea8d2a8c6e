/**
 * State handles given to user functions. Access is synchronous (docs/adr/0001-batched-synchronous-record-path.md): a handle reads
 * and writes the entry of the current key, which the runtime sets before each record and timer.
 *
 * @module
 */

/** A single value for the current key. */
export interface ValueState<T> {
  /** The value, or `undefined` (or the descriptor's default) when unset. */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/** A list of values for the current key. */
export interface ListState<T> {
  /** The values (a fresh array the caller may keep). Empty when unset. */
  get(): T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

/** A map for the current key. */
export interface MapState<UK, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  contains(key: UK): boolean;
  remove(key: UK): void;
  entries(): IterableIterator<[UK, UV]>;
  keys(): IterableIterator<UK>;
  values(): IterableIterator<UV>;
  isEmpty(): boolean;
  clear(): void;
}

/** A value combined with each added value by the descriptor's reduce function. */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** An accumulator fed by `add`, read through the descriptor's aggregate function. */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
