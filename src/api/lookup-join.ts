/**
 * `LookupJoin`: enrich each record from an external table by key — an async lookup, an LRU
 * cache with TTL and a maximum size on the job's processing-time clock, concurrent lookups of the
 * same key shared, and cache hit/miss metrics — built on the async I/O operator.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import type { Counter } from '../core/metric-group.ts';
import { userCallSite } from '../util/call-site.ts';
import { toMillis, type Duration } from '../util/duration.ts';
import { LruCache } from '../util/lru-cache.ts';
import { addAsyncWait } from './async-data-stream.ts';
import type { AsyncWaitOptions } from '../core/async-wait-options.ts';
import type { DataStream } from './data-stream.ts';
import type { AsyncFunction } from '../core/functions/async-function.ts';
import type { Context } from '../core/functions/context.ts';
import type { TimerService } from '../core/functions/timer-service.ts';

/** Settings of the lookup cache of each subtask. */
export interface LookupCacheOptions {
  /** Entries kept per subtask (default 10,000). */
  readonly maxSize?: number;
  /** How long a looked-up value (including "not found") is reused (default 60 s). */
  readonly ttl?: Duration;
}

/** Settings of {@link LookupJoin.async}; the async operator's settings apply too. */
export interface LookupJoinOptions<T, K, V, OUT> extends AsyncWaitOptions<T, OUT> {
  /** The lookup key of a record (a string or number: it is a Map key). */
  readonly key: (record: T) => K;
  /** Fetches the value of a key from the external table; resolve `undefined` for "not found". */
  readonly lookup: (key: K) => Promise<V>;
  /** Combines a record with the value of its key. */
  readonly join: (record: T, value: V) => OUT;
  /** The cache, or `false` for none (default: 10,000 entries for 60 s). */
  readonly cache?: LookupCacheOptions | false;
  /** `true` (default): results in input order; `false`: as they arrive. */
  readonly ordered?: boolean;
}

/** The async function behind a lookup join; one instance (and cache) per subtask. */
class LookupJoinFunction<T, K, V, OUT> implements AsyncFunction<T, OUT> {
  private cache: LruCache<K, V> | undefined;
  private inflight!: Map<K, Promise<V>>;
  private time!: TimerService;
  private hits!: Counter;
  private misses!: Counter;

  constructor(
    private readonly options: LookupJoinOptions<T, K, V, OUT>,
    private readonly maxSize: number,
    private readonly ttlMs: number,
  ) {}

  open(ctx: Context<unknown>): void {
    this.cache =
      this.options.cache === false
        ? undefined
        : new LruCache<K, V>({ maxSize: this.maxSize, ttlMs: this.ttlMs });
    this.inflight = new Map();
    this.time = ctx.timerService();
    this.hits = ctx.metrics.counter('lookup_cache_hits', 'lookups answered from the cache');
    this.misses = ctx.metrics.counter('lookup_cache_misses', 'lookups sent to the external table');
    ctx.metrics.gauge('lookup_cache_size', () => this.cache?.size ?? 0, 'entries in the cache');
  }

  asyncInvoke(record: T): Promise<OUT> | OUT {
    const { key, join } = this.options;
    const k = key(record);
    const cache = this.cache;
    if (cache !== undefined) {
      const e = cache.get(k, this.time.currentProcessingTime());
      if (e !== undefined) {
        this.hits.inc();
        return join(record, e.value);
      }
    }
    this.misses.inc();
    let p = this.inflight.get(k);
    if (p === undefined) {
      p = this.fetch(k);
      this.inflight.set(k, p);
    }
    return p.then((v) => join(record, v));
  }

  private fetch(k: K): Promise<V> {
    return this.options.lookup(k).then(
      (v) => {
        this.inflight.delete(k);
        this.cache?.set(k, v, this.time.currentProcessingTime());
        return v;
      },
      (e: unknown) => {
        this.inflight.delete(k);
        throw e;
      },
    );
  }
}

/**
 * Lookup joins: enrich a stream from an external table (an HTTP service, a database) by key.
 */
export class LookupJoin {
  private constructor() {}

  /**
   * Joins each record with the value its key has in an external table, looked up
   * asynchronously (up to `capacity` lookups in flight) through a per-subtask LRU cache with
   * TTL. Metrics: `lookup_cache_hits`, `lookup_cache_misses`, `lookup_cache_size`, and the async
   * operator's. Failed lookups go to `ASYNC_FAILURES` unless `onFailure: 'fail-job'`.
   *
   * @example
   * ```ts
   * const enriched = LookupJoin.async(clicks, {
   *   key: (click) => click.userId,
   *   lookup: (userId) => fetch(`http://profiles/users/${userId}`).then((r) => r.json()),
   *   join: (click, profile) => ({ ...click, country: profile?.country }),
   *   cache: { maxSize: 10_000, ttl: '5m' },
   *   timeout: '2s',
   *   retry: { maxAttempts: 3, delay: '50ms' },
   * });
   * ```
   */
  static async<T, K, V, OUT>(
    stream: DataStream<T>,
    options: LookupJoinOptions<T, K, V, OUT>,
  ): DataStream<OUT> {
    for (const f of ['key', 'lookup', 'join'] as const) {
      if (typeof options?.[f] !== 'function') {
        throw userError('INVALID_ARGUMENT', `LookupJoin.async() needs a function \`${f}\``, {
          operator: { name: 'LookupJoin', definedAt: userCallSite() },
          hint: 'pass { key: (record) => k, lookup: async (k) => value, join: (record, value) => out }',
        });
      }
    }
    const cache = options.cache === false ? {} : (options.cache ?? {});
    const maxSize = cache.maxSize ?? 10_000;
    const ttlMs = toMillis(cache.ttl ?? '60s', 'cache.ttl');
    if (!Number.isInteger(maxSize) || maxSize < 1 || ttlMs <= 0) {
      throw userError('INVALID_ARGUMENT', 'the lookup cache needs a positive maxSize and ttl', {
        operator: { name: 'LookupJoin', definedAt: userCallSite() },
        hint: "e.g. cache: { maxSize: 10_000, ttl: '5m' }, or cache: false for none",
      });
    }
    const fn = new LookupJoinFunction<T, K, V, OUT>(options, maxSize, ttlMs);
    return addAsyncWait<T, OUT>(
      stream,
      fn,
      options,
      options.ordered === false ? 'unordered' : 'ordered',
      'LookupJoin',
    ).name('LookupJoin');
  }
}
