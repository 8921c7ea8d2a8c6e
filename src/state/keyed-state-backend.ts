/**
 * The contract between keyed operators and a state backend (heap, LMDB). The operator sets the
 * current key (and, for windows, namespace) before calling user code; state handles read and
 * write the entry of that key synchronously.
 *
 * @module
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from './state.ts';

/** Keyed state of one operator subtask. */
export interface KeyedStateBackend {
  /** Sets the key of the record or timer about to be processed. */
  setCurrentKey(rawKey: unknown): void;
  /** Sets the key from an already normalized form (timers store both). */
  setCurrentKeyNormalized(normalizedKey: unknown, rawKey: unknown): void;
  /** The current key as the user's key selector returned it. */
  readonly currentRawKey: unknown;
  /** The current key normalized for Map lookup. */
  readonly currentKey: unknown;
  /** Sets the namespace (e.g. a window) of namespaced state; `undefined` for plain keyed state. */
  setCurrentNamespace(namespace: string | number | undefined): void;
  getValueState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /** Number of entries over all states (a metric). */
  size(): number;
  dispose(): void;
}
