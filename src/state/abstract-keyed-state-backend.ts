/**
 * What every keyed state backend does the same way, whatever it stores in: states registered by
 * name (one kind per name), restored entries of states the user code has not registered yet
 * (kept until it does, and saved again by the next snapshot), version migration of restored
 * values, and the five state handle factories. A backend supplies its table type, how a table is
 * created and loaded, and its handle classes (their per-record code stays the backend's own).
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../core/state.ts';
import { checkCompatible } from './check-compatible.ts';
import type { KeyGroupSnapshot, StateSnapshot } from './keyed-state-backend.ts';

/** A registered state of a backend: at least its descriptor. */
export interface RegisteredState {
  readonly descriptor: StateDescriptor;
}

/**
 * The state handle classes of a backend, each constructed with the backend, the state's table and
 * what the kind needs.
 *
 * @typeParam B - the backend
 * @typeParam T - its table of one state
 */
export interface StateHandleClasses<B, T> {
  readonly value: new <V>(backend: B, table: T, defaultValue: V | undefined) => ValueState<V>;
  readonly list: new <V>(backend: B, table: T) => ListState<V>;
  readonly map: new <K, V>(backend: B, table: T) => MapState<K, V>;
  readonly reducing: new <V>(backend: B, table: T, reduce: (a: V, b: V) => V) => ReducingState<V>;
  readonly aggregating: new <IN, ACC, OUT>(
    backend: B,
    table: T,
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ) => AggregatingState<IN, OUT>;
}

/**
 * The base of the keyed state backends (heap, LMDB).
 *
 * @typeParam T - the backend's table of one state
 */
export abstract class AbstractKeyedStateBackend<T extends RegisteredState> {
  /** Registered states by name. */
  protected readonly tables = new Map<string, T>();
  /** Restored entries of states not yet registered by the user code, by state name. */
  protected readonly pendingRestore = new Map<string, StateSnapshot[]>();
  /** The backend's state handle classes. */
  protected abstract readonly handles: StateHandleClasses<this, T>;

  constructor(
    /** Operator name, for errors. */
    protected readonly operatorName: string,
  ) {}

  /** Creates the (empty) table of a newly registered state. */
  protected abstract createTable(descriptor: StateDescriptor): T;

  /** Adds restored entries (already checked against the descriptor) to a table. */
  protected abstract load(table: T, snap: StateSnapshot): void;

  /** The table of a state, registered (and loaded from pending restored entries) on first use. */
  protected table(descriptor: StateDescriptor): T {
    const existing = this.tables.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.descriptor.kind !== descriptor.kind) {
        throw userError(
          'STATE_ERROR',
          `state "${descriptor.name}" is already registered as ${existing.descriptor.kind} state, not ${descriptor.kind}`,
          {
            operator: { name: this.operatorName },
            hint: 'give each state descriptor of an operator its own name',
          },
        );
      }
      return existing;
    }
    const table = this.createTable(descriptor);
    this.tables.set(descriptor.name, table);
    const pending = this.pendingRestore.get(descriptor.name);
    if (pending !== undefined) {
      this.pendingRestore.delete(descriptor.name);
      for (const snap of pending) this.loadChecked(table, snap);
    }
    return table;
  }

  /** Adds the entries of `groups` (from any backend and any parallelism) to this backend. */
  restore(groups: readonly KeyGroupSnapshot[]): void {
    for (const g of groups) {
      for (const snap of g.states) {
        const table = this.tables.get(snap.name);
        if (table !== undefined) this.loadChecked(table, snap);
        else {
          const list = this.pendingRestore.get(snap.name);
          if (list === undefined) this.pendingRestore.set(snap.name, [snap]);
          else list.push(snap);
        }
      }
    }
  }

  /** See {@link KeyedStateBackend.takeUnclaimedState}. */
  takeUnclaimedState(name: string): StateSnapshot[] {
    if (this.tables.has(name)) return [];
    const pending = this.pendingRestore.get(name) ?? [];
    this.pendingRestore.delete(name);
    return pending;
  }

  /** The restored entries no state has claimed yet (a snapshot saves them again). */
  protected pendingSnapshots(): StateSnapshot[] {
    return [...this.pendingRestore.values()].flat();
  }

  /**
   * Value `i` of a restored snapshot as the state holds it now: migrated when it was saved with an
   * older schema version, a map state's entry list made a `Map` again.
   */
  protected restoredValue(descriptor: StateDescriptor, snap: StateSnapshot, i: number): unknown {
    const saved = snap.values[i];
    const migrate = descriptor.options.migrate;
    const value =
      snap.version < (descriptor.options.version ?? 1) && migrate !== undefined
        ? migrate(saved, snap.version)
        : saved;
    return descriptor.kind === 'map' && Array.isArray(value)
      ? new Map(value as [unknown, unknown][])
      : value;
  }

  private loadChecked(table: T, snap: StateSnapshot): void {
    checkCompatible(this.operatorName, table.descriptor, snap);
    this.load(table, snap);
  }

  /** A value state of the current key. */
  getValueState<V>(descriptor: ValueStateDescriptor<V>): ValueState<V> {
    return new this.handles.value<V>(this, this.table(descriptor), descriptor.options.defaultValue);
  }
  /** A list state of the current key. */
  getListState<V>(descriptor: ListStateDescriptor<V>): ListState<V> {
    return new this.handles.list<V>(this, this.table(descriptor));
  }
  /** A map state of the current key. */
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return new this.handles.map<K, V>(this, this.table(descriptor));
  }
  /** A reducing state of the current key. */
  getReducingState<V>(descriptor: ReducingStateDescriptor<V>): ReducingState<V> {
    return new this.handles.reducing<V>(this, this.table(descriptor), descriptor.reduce);
  }
  /** An aggregating state of the current key. */
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> {
    return new this.handles.aggregating<IN, ACC, OUT>(this, this.table(descriptor), descriptor);
  }
}
