/**
 * A least-recently-used cache with a maximum size and a time-to-live, on a caller-supplied clock
 * (the job's processing time, so tests can use virtual time). A Map keeps recency order: a hit
 * moves the entry to the end, an insert beyond `maxSize` evicts the first.
 *
 * @module
 */

/** A cached value and when it expires. */
export interface LruEntry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * An LRU cache with TTL.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, Profile>({ maxSize: 10_000, ttlMs: 60_000 });
 * cache.set('u1', profile, now);
 * cache.get('u1', now + 1_000)?.value; // profile
 * cache.get('u1', now + 60_000); // undefined: expired
 * ```
 */
export class LruCache<K, V> {
  readonly maxSize: number;
  readonly ttlMs: number;
  private readonly map = new Map<K, LruEntry<V>>();
  /** Entries removed to make room. */
  evictions = 0;

  constructor(options: { readonly maxSize: number; readonly ttlMs: number }) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError(`maxSize must be a positive integer, got ${options.maxSize}`);
    }
    if (!(options.ttlMs > 0)) throw new RangeError(`ttl must be positive, got ${options.ttlMs}`);
    this.maxSize = options.maxSize;
    this.ttlMs = options.ttlMs;
  }

  /** Number of entries (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.map.size;
  }

  /** The live entry of `key` at time `now` (a cached `undefined` is a hit), or undefined. */
  get(key: K, now: number): LruEntry<V> | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    if (e.expiresAt <= now) return undefined;
    this.map.set(key, e);
    return e;
  }

  /** Caches `value` for `key` from time `now`. */
  set(key: K, value: V, now: number): void {
    const map = this.map;
    map.delete(key);
    map.set(key, { value, expiresAt: now + this.ttlMs });
    if (map.size > this.maxSize) {
      const oldest = map.keys().next();
      if (oldest.done !== true) {
        map.delete(oldest.value);
        this.evictions++;
      }
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
