/**
 * Broadcast state: a map per descriptor that every parallel subtask of a broadcast operator holds
 * in full. The broadcast side reads and writes it; the other side only reads it.
 *
 * @module
 */

/** The view of broadcast state given to `processElement`: reads only. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  /** Number of entries. */
  readonly size: number;
}

/** The view of broadcast state given to `processBroadcastElement`: reads and writes. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  clear(): void;
}
