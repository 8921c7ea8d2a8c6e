/**
 * Every kind of plan node, defined once: for each kind, a {@link NodeDescriptor} names the plain
 * settings its plan node carries (`config`: printed, diffed, fingerprinted, sent over the wire)
 * and the objects its binding carries beside the plan (`settings`: user functions, sources,
 * sinks, assigners — what cannot be data).
 *
 * The API builds nodes of these kinds, the runtime's operator registry maps every kind to its
 * operator (a mapped type, so a kind added here without an operator is a compile error there),
 * and an operator reads its settings typed by its kind. Adding an operator kind: docs/architecture.md,
 * "Adding an operator".
 *
 * @module
 */
import type { AsyncFn, AsyncFunction } from '../core/functions/async-function.ts';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from '../core/functions/broadcast-process-function.ts';
import type {
  CoProcessFunction,
  KeyedCoProcessFunction,
} from '../core/functions/co-process-function.ts';
import type { FilterFn, FilterFunction } from '../core/functions/filter-function.ts';
import type { FlatMapFn, FlatMapFunction } from '../core/functions/flat-map-function.ts';
import type { MapFn, MapFunction } from '../core/functions/map-function.ts';
import type {
  KeyedProcessFunction,
  ProcessFn,
  ProcessFunction,
} from '../core/functions/process-function.ts';
import type { ProcessJoinFunction } from '../core/functions/process-join-function.ts';
import type { ReduceFunction } from '../core/functions/reduce-function.ts';
import type { AsyncWaitConfig, AsyncWaitOptions } from '../core/async-wait-options.ts';
import type { Boundedness, Sink, Source } from '../core/connector-spi.ts';
import type { MapStateDescriptor } from '../core/state-descriptor.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import type { WindowSpec } from '../time/windowing/window-spec.ts';

/**
 * One node kind: the plain data of its plan node and the objects of its binding.
 *
 * @typeParam C - the node's `config`: plain, JSON-like data only
 * @typeParam S - the binding's `settings`: what the operator needs that is not data
 */
export interface NodeDescriptor<C extends PlanData, S> {
  readonly config: C;
  readonly settings: S;
}

/** Plain data as a plan holds it (a description, never a function). */
export type PlanData = Readonly<Record<string, unknown>>;

/** The config of a node with nothing to describe beyond its kind. */
export type NoConfig = Readonly<Record<string, never>>;

/** The settings of a node that calls one user function. */
export interface UdfSettings<F> {
  /** The user function: a plain function or an object (instantiated once per subtask). */
  readonly fn: F;
}

/** The config of a source: its own description, boundedness and watermark strategy. */
export type SourceConfig = PlanData & {
  readonly boundedness: Boundedness;
  readonly watermarks?: PlanData;
};

/** What a source node reads, and the watermark strategy applied per split. */
export interface SourceSettings {
  readonly source: Source<unknown>;
  readonly watermarkStrategy: WatermarkStrategy<unknown> | undefined;
}

/** The config of a keyed rolling reduce: which rolling aggregation, when it is one. */
export type ReduceConfig = Readonly<{ aggregation?: string; field?: string }>;

/** The config of an interval join (all of it plain data: the operator reads it from the node). */
export type IntervalJoinConfig = Readonly<{
  /** Inclusive lower bound in ms (an exclusive bound is already moved by 1 ms). */
  lowerMs: number;
  /** Inclusive upper bound in ms. */
  upperMs: number;
  /** Side-output tag id for late left records (dropped and counted when absent). */
  leftLateTag?: string;
  /** Side-output tag id for late right records. */
  rightLateTag?: string;
}>;

/** The config of a window node: descriptions of its assigner, trigger and evictor. */
export type WindowConfig = Readonly<{
  assigner: PlanData;
  trigger: string;
  allowedLatenessMs: number;
  contents: 'reduce' | 'aggregate' | 'list';
  evictor?: PlanData;
  lateDataTag?: string;
}>;

/** The settings of a (keyed) broadcast process node. */
export interface BroadcastProcessSettings<F> extends UdfSettings<F> {
  /** The broadcast states every subtask holds. */
  readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[];
}

/**
 * The node kinds, by name. The names here are the only place a kind is spelled out; everything
 * else refers to them through {@link NodeKind}.
 */
export interface NodeDescriptors {
  readonly source: NodeDescriptor<SourceConfig, SourceSettings>;
  readonly sink: NodeDescriptor<PlanData, { readonly sink: Sink<unknown> }>;
  readonly map: NodeDescriptor<
    NoConfig,
    UdfSettings<MapFn<unknown, unknown> | MapFunction<unknown, unknown>>
  >;
  readonly filter: NodeDescriptor<
    NoConfig,
    UdfSettings<FilterFn<unknown> | FilterFunction<unknown>>
  >;
  readonly 'flat-map': NodeDescriptor<
    NoConfig,
    UdfSettings<FlatMapFn<unknown, unknown> | FlatMapFunction<unknown, unknown>>
  >;
  readonly process: NodeDescriptor<
    NoConfig,
    UdfSettings<ProcessFn<unknown, unknown> | ProcessFunction<unknown, unknown>>
  >;
  readonly 'keyed-process': NodeDescriptor<
    NoConfig,
    UdfSettings<ProcessFn<unknown, unknown> | KeyedProcessFunction<unknown, unknown, unknown>>
  >;
  readonly reduce: NodeDescriptor<ReduceConfig, UdfSettings<ReduceFunction<unknown>>>;
  readonly 'co-process': NodeDescriptor<
    NoConfig,
    UdfSettings<CoProcessFunction<unknown, unknown, unknown>>
  >;
  readonly 'keyed-co-process': NodeDescriptor<
    NoConfig,
    UdfSettings<KeyedCoProcessFunction<unknown, unknown, unknown, unknown>>
  >;
  readonly 'timestamps-watermarks': NodeDescriptor<
    Readonly<{ strategy: PlanData }>,
    { readonly strategy: WatermarkStrategy<unknown> }
  >;
  readonly 'async-wait': NodeDescriptor<
    AsyncWaitConfig,
    UdfSettings<AsyncFn<unknown, unknown> | AsyncFunction<unknown, unknown>> & {
      readonly options: AsyncWaitOptions<unknown, unknown>;
    }
  >;
  readonly 'broadcast-process': NodeDescriptor<
    Readonly<{ broadcastStates: readonly string[] }>,
    BroadcastProcessSettings<BroadcastProcessFunction<unknown, unknown, unknown>>
  >;
  readonly 'keyed-broadcast-process': NodeDescriptor<
    Readonly<{ broadcastStates: readonly string[] }>,
    BroadcastProcessSettings<KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>>
  >;
  readonly 'interval-join': NodeDescriptor<
    IntervalJoinConfig,
    UdfSettings<ProcessJoinFunction<unknown, unknown, unknown>>
  >;
  readonly window: NodeDescriptor<WindowConfig, WindowSpec>;
}

/** The name of a node kind, e.g. `source`, `map`, `keyed-process`, `window`, `sink`. */
export type NodeKind = keyof NodeDescriptors;

/** The kinds the runtime runs as operators behind an input gate (every kind but `source`). */
export type OperatorKind = Exclude<NodeKind, 'source'>;

/** The kinds whose settings are one user function (`settings.fn`). */
export type UdfKind = {
  [K in NodeKind]: NodeDescriptors[K]['settings'] extends UdfSettings<unknown> ? K : never;
}[NodeKind];

/** The plain config of a node of kind `K`. */
export type NodeConfig<K extends NodeKind> = NodeDescriptors[K]['config'];

/** The binding settings of a node of kind `K`. */
export type NodeSettings<K extends NodeKind> = NodeDescriptors[K]['settings'];
