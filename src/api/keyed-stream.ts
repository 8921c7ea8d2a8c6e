/**
 * `KeyedStream<K, T>`: a stream partitioned by key. Functions applied to it have keyed state and
 * timers for the key of the record (or timer) they process.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import type { FilterFn, FilterFunction } from '../core/functions/filter-function.ts';
import type { FlatMapFn, FlatMapFunction } from '../core/functions/flat-map-function.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { MapFn, MapFunction } from '../core/functions/map-function.ts';
import type { KeyedProcessFunction, ProcessFn } from '../core/functions/process-function.ts';
import type { ReduceFunction } from '../core/functions/reduce-function.ts';
import type { StreamEnvironment } from './stream-environment.ts';
import type { StreamPort } from './transformation.ts';
import type { NodeConfig, NodeKind, NodeSettings } from '../plan/node-kinds.ts';
import {
  ANY_SIDE_OUTPUT,
  DataStream,
  addOneInputOperator,
  checkFunction,
  functionName,
  type OneInputSpec,
} from './data-stream.ts';
import { KeyedBroadcastConnectedStream } from './broadcast-connected-stream.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { WindowedStream } from './windowed-stream.ts';
import { IntervalJoin } from './interval-join.ts';
import type { WindowAssigner } from '../time/windowing/window-assigner.ts';
import type { GlobalWindow, Window } from '../core/window.ts';
import { GlobalWindows } from '../time/windowing/assigners/global-windows.ts';
import { countWindows } from './count-window.ts';
import {
  rollingAggregation,
  type NumberField,
  type RollingAggregation,
} from './rolling-aggregation.ts';

/** The field argument of a rolling aggregation: none for number records, else a number field. */
export type FieldArgument<T> = [T] extends [number] ? [] : [field: NumberField<T>];

/**
 * A stream partitioned by key.
 *
 * @example
 * ```ts
 * const counts = clicks
 *   .keyBy((c) => c.userId)
 *   .process({
 *     open(ctx) { this.count = ctx.getState(new ValueStateDescriptor<number>('count')); },
 *     processElement(c, ctx, out) {
 *       const n = (this.count.value() ?? 0) + 1;
 *       this.count.update(n);
 *       out.collect({ user: ctx.getCurrentKey(), n });
 *     },
 *   });
 * ```
 */
export class KeyedStream<K, T> {
  /** @internal */
  constructor(
    readonly env: StreamEnvironment,
    /** @internal */ readonly ports: readonly StreamPort[],
    /** The key selector given to `keyBy`. */
    readonly keySelector: KeySelector<T, K>,
  ) {}

  /** Processes each record with keyed state and timers in scope. */
  process<O>(fn: ProcessFn<T, O, K> | KeyedProcessFunction<K, T, O>): DataStream<O> {
    const f = fn as NodeSettings<'keyed-process'>['fn'];
    return this.keyedOperator<O, 'keyed-process'>('keyed-process', 'KeyedProcess', f);
  }

  /** Keyed map: the function may use keyed state. */
  map<O>(fn: MapFn<T, O, K> | MapFunction<T, O, K>): DataStream<O> {
    return this.keyedOperator<O, 'map'>('map', 'Map', fn as NodeSettings<'map'>['fn']);
  }

  /** Keyed filter: the function may use keyed state. */
  filter(fn: FilterFn<T, K> | FilterFunction<T, K>): DataStream<T> {
    return this.keyedOperator<T, 'filter'>('filter', 'Filter', fn as NodeSettings<'filter'>['fn']);
  }

  /** Keyed flatMap: the function may use keyed state. */
  flatMap<O>(fn: FlatMapFn<T, O, K> | FlatMapFunction<T, O, K>): DataStream<O> {
    const f = fn as NodeSettings<'flat-map'>['fn'];
    return this.keyedOperator<O, 'flat-map'>('flat-map', 'FlatMap', f);
  }

  /** Emits the running reduction of each key for every record (a rolling aggregate). */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    if (typeof fn !== 'function') {
      throw userError(
        'INVALID_JOB',
        'reduce() takes a function (accumulated, value) => accumulated',
      );
    }
    return this.addKeyedOperator<T, 'reduce'>({
      kind: 'reduce',
      name: functionName(fn, 'Reduce'),
      settings: { fn: fn as ReduceFunction<unknown> },
      sideOutputs: [],
      config: {},
    });
  }

  /**
   * Rolling sum per key of a number field (or of the records, when they are numbers), emitted
   * for every record. As in Flink, the other fields are those of the key's first record.
   *
   * @example
   * ```ts
   * orders.keyBy((o) => o.customer).sum('amount'); // { customer, amount: running total, … }
   * ```
   */
  sum(...field: FieldArgument<T>): DataStream<T> {
    return this.rolling('sum', (field as readonly string[])[0]);
  }

  /** Rolling minimum per key of a number field; the other fields are the first record's. */
  min(...field: FieldArgument<T>): DataStream<T> {
    return this.rolling('min', (field as readonly string[])[0]);
  }

  /** Rolling maximum per key of a number field; the other fields are the first record's. */
  max(...field: FieldArgument<T>): DataStream<T> {
    return this.rolling('max', (field as readonly string[])[0]);
  }

  /**
   * Per key, the record with the smallest value of a number field so far (on ties the earlier
   * record, or the later one with `first = false`).
   */
  minBy(field: NumberField<T>, first?: boolean): DataStream<T> {
    return this.rolling('minBy', field, first);
  }

  /** Per key, the record with the largest value of a number field so far (ties as `minBy`). */
  maxBy(field: NumberField<T>, first?: boolean): DataStream<T> {
    return this.rolling('maxBy', field, first);
  }

  private rolling(
    kind: RollingAggregation,
    field: string | undefined,
    first = true,
  ): DataStream<T> {
    if (field !== undefined && typeof field !== 'string') {
      throw userError('INVALID_JOB', `${kind}() takes the name of a number field`, {
        hint: `for example ${kind}('amount'); records that are numbers take no argument`,
      });
    }
    return this.addKeyedOperator<T, 'reduce'>({
      kind: 'reduce',
      name: `${kind[0]?.toUpperCase()}${kind.slice(1)}(${field ?? ''})`,
      settings: { fn: rollingAggregation<T>(kind, field, first) as ReduceFunction<unknown> },
      sideOutputs: [],
      config: { aggregation: kind, ...(field !== undefined ? { field } : {}) },
    });
  }

  /**
   * Count windows per key (Flink's `countWindow`). `countWindow(size)`: a global window with a
   * purging count trigger, so each window fires once with exactly `size` records.
   * `countWindow(size, slide)`: every `slide` records, a window of the key's last `size` records
   * (a global window with a count trigger and a {@link CountEvictor}).
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const global = this.window(GlobalWindows.create() as WindowAssigner<T, GlobalWindow>);
    return countWindows<T, WindowedStream<T, K, GlobalWindow>>(global, 'countWindow', size, slide);
  }

  /**
   * Cuts each key's records into windows.
   *
   * @example
   * ```ts
   * events.keyBy((e) => e.user).window(EventTimeSessionWindows.withGap('30m')).process(summarize);
   * ```
   */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /**
   * Interval join with another keyed stream: see {@link IntervalJoin}.
   *
   * @example
   * ```ts
   * a.keyBy((x) => x.id).intervalJoin(b.keyBy((y) => y.id)).between(-5000, 5000).process(fn);
   * ```
   */
  intervalJoin<U>(other: KeyedStream<K, U>): IntervalJoin<T, U, K> {
    return new IntervalJoin<T, U, K>(this, other);
  }

  /** Connects to another keyed stream with the same key type, for a KeyedCoProcessFunction. */
  connect<U>(other: KeyedStream<K, U>): ConnectedStreams<T, U, K>;
  /** Connects to a broadcast stream, for a {@link KeyedBroadcastProcessFunction}. */
  connect<U>(other: BroadcastStream<U>): KeyedBroadcastConnectedStream<K, T, U>;
  connect<U>(
    other: KeyedStream<K, U> | BroadcastStream<U>,
  ): ConnectedStreams<T, U, K> | KeyedBroadcastConnectedStream<K, T, U> {
    if (other instanceof BroadcastStream) {
      return new KeyedBroadcastConnectedStream<K, T, U>(
        this.env,
        {
          ports: this.ports,
          partitioning: 'hash',
          keySelector: this.keySelector as (v: never) => unknown,
        },
        other,
      );
    }
    return new ConnectedStreams<T, U, K>(
      this.env,
      new DataStream<T>(this.env, this.ports, undefined),
      new DataStream<U>(this.env, other.ports, undefined),
      [this.keySelector as (v: never) => unknown, other.keySelector as (v: never) => unknown],
    );
  }

  /** @internal Adds a keyed one-input operator. */
  addKeyedOperator<O, KIND extends NodeKind>(spec: OneInputSpec<KIND>): DataStream<O> {
    const input = {
      ports: this.ports,
      partitioning: 'hash',
      keySelector: this.keySelector as (v: never) => unknown,
    } as const;
    return addOneInputOperator<O, KIND>(this.env, input, spec, true);
  }

  private keyedOperator<O, KIND extends 'keyed-process' | 'map' | 'filter' | 'flat-map'>(
    kind: KIND,
    label: string,
    fn: NodeSettings<KIND>['fn'],
  ): DataStream<O> {
    checkFunction(fn, kind, label);
    return this.addKeyedOperator<O, KIND>({
      kind,
      name: functionName(fn, label),
      settings: { fn } as NodeSettings<KIND>,
      sideOutputs: [ANY_SIDE_OUTPUT],
      config: {} as NodeConfig<KIND>,
    });
  }
}
