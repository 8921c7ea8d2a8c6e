/**
 * What a fusable operator contributes to a fused chain: its kind and the parts the generated loop
 * calls directly (see {@link FusedChain}).
 *
 * @module
 */
import type { Collector } from '../../core/functions/collector.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { ValueState } from '../../core/state.ts';
import type { OperatorContext } from '../operator-context.ts';
import type { AbstractStreamOperator } from './abstract-stream-operator.ts';

/** Selects the key of a record (keyed stages). */
export type StageKeySelector = (value: unknown) => unknown;

interface StageBase {
  /** The operator whose work the stage does (lifecycle, metrics and failures stay with it). */
  readonly operator: AbstractStreamOperator;
  /** Set on a keyed stream: the stage sets the current key before calling the function. */
  readonly keySelector: StageKeySelector | undefined;
  readonly backend: KeyedStateBackend | undefined;
}

/**
 * A stage that calls one user function, `call`, with the operator's context.
 *
 * @typeParam S - the stage kind
 * @typeParam C - the function's signature
 */
export interface CallStage<S extends string, C> extends StageBase {
  readonly kind: S;
  readonly call: C;
  readonly ctx: OperatorContext;
}

/** One output per input: `value = call(value, ctx)`. */
export type MapStage = CallStage<'map', (value: unknown, ctx: OperatorContext) => unknown>;

/** At most one output per input: the record goes on when `call(value, ctx)` is true. */
export type FilterStage = CallStage<'filter', (value: unknown, ctx: OperatorContext) => boolean>;

/**
 * Zero or more outputs per input: `call(value, out, ctx)` calls `out.collect(x)` (or returns an
 * iterable); each output runs through the rest of the chain before `collect` returns.
 */
export type FlatMapStage = CallStage<
  'flatMap',
  (value: unknown, out: Collector<unknown>, ctx: OperatorContext) => void | Iterable<unknown>
>;

/** Keyed rolling reduce: the reduction of the key so far, updated and emitted per record. */
export interface ReduceStage extends StageBase {
  readonly kind: 'reduce';
  readonly reduce: (accumulated: unknown, value: unknown) => unknown;
  readonly keySelector: StageKeySelector;
  readonly backend: KeyedStateBackend;
  readonly state: ValueState<unknown>;
  /** The state's table for primitive keys, when the backend offers one (heap without TTL). */
  readonly table: Map<unknown, unknown> | undefined;
}

/** The writer of a chained sink: takes each record (see `SinkWriter.invoke`). */
export interface RecordWriter {
  invoke(value: unknown, timestamp: number): void;
}

/** A sink at the end of a chain: hands each record to its writer; nothing comes out. */
export interface SinkStage extends StageBase {
  readonly kind: 'sink';
  readonly writer: RecordWriter;
  readonly keySelector: undefined;
}

/** A record-at-a-time step of a fused chain. */
export type FusionStage = MapStage | FilterStage | FlatMapStage | ReduceStage | SinkStage;
