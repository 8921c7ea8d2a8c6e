/**
 * State descriptors: the name, kind and options of a piece of keyed (or operator) state.
 * A descriptor is plain data plus, for reducing/aggregating state, the user's function.
 *
 * @module
 */
import type { Duration } from '../util/duration.ts';

/** When the time-to-live of a state entry is refreshed. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';

/** Time-to-live of state entries: expired entries are never returned and are cleaned up. */
export interface StateTtlConfig {
  /** How long an entry lives after its last refresh. */
  readonly ttl: Duration;
  /** When the clock restarts (default `OnCreateAndWrite`). */
  readonly updateType?: TtlUpdateType;
}

/** Options common to every state descriptor. */
export interface StateDescriptorOptions<T> {
  /** Time-to-live of the entries. */
  readonly ttl?: StateTtlConfig;
  /** Schema version of the stored values, recorded in snapshots (default 1). */
  readonly version?: number;
  /**
   * Upgrades a value written by an older `version` on restore. Called once per restored entry whose
   * recorded version is lower than {@link StateDescriptorOptions.version}.
   */
  readonly migrate?: (value: unknown, fromVersion: number) => T;
}

/** The kinds of state. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** Fields shared by every descriptor. */
export interface StateDescriptor {
  readonly kind: StateKind;
  readonly name: string;
  readonly options: StateDescriptorOptions<unknown>;
}

/**
 * Describes a single value per key.
 *
 * @example
 * ```ts
 * const seen = new ValueStateDescriptor<number>('seen');
 * // in open(ctx): this.seen = ctx.getState(seen); in processElement: this.seen.value() ?? 0
 * ```
 */
export class ValueStateDescriptor<T> implements StateDescriptor {
  readonly kind = 'value' as const;
  /** Marker for type inference; never set. */
  declare readonly __type?: T;
  constructor(
    readonly name: string,
    readonly options: StateDescriptorOptions<T> & { readonly defaultValue?: T } = {},
  ) {}
}

/** Describes a list of values per key. */
export class ListStateDescriptor<T> implements StateDescriptor {
  readonly kind = 'list' as const;
  declare readonly __type?: T;
  constructor(
    readonly name: string,
    readonly options: StateDescriptorOptions<T> = {},
  ) {}
}

/** Describes a map per key. */
export class MapStateDescriptor<UK, UV> implements StateDescriptor {
  readonly kind = 'map' as const;
  declare readonly __type?: [UK, UV];
  constructor(
    readonly name: string,
    readonly options: StateDescriptorOptions<UV> = {},
  ) {}
}

/** Describes a value per key that is combined with each added value by a reduce function. */
export class ReducingStateDescriptor<T> implements StateDescriptor {
  readonly kind = 'reducing' as const;
  declare readonly __type?: T;
  constructor(
    readonly name: string,
    readonly reduce: (a: T, b: T) => T,
    readonly options: StateDescriptorOptions<T> = {},
  ) {}
}

/** An incremental aggregation: an accumulator, how to add to it, how to read it and merge two. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Merges two accumulators; required by merging windows (sessions). */
  merge?(a: ACC, b: ACC): ACC;
}

/** Describes an aggregating value per key. */
export class AggregatingStateDescriptor<IN, ACC, OUT> implements StateDescriptor {
  readonly kind = 'aggregating' as const;
  declare readonly __type?: [IN, ACC, OUT];
  constructor(
    readonly name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
    readonly options: StateDescriptorOptions<ACC> = {},
  ) {}
}
