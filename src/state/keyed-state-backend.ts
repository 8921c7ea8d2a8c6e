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
} from '../core/state-descriptor.ts';
import type { StateKind } from '../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../core/state.ts';

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
  /**
   * The live table of a value state, indexed by key, when the backend keeps one in memory (heap
   * state without TTL); undefined otherwise. For the runtime's fused loops: with a primitive key
   * and no namespace, `table.get(key)` / `table.set(key, v)` / `table.delete(key)` are
   * `value()` / `update(v)` / `clear()` without setting the current key.
   */
  directValueTable?(descriptor: ValueStateDescriptor<unknown>): Map<unknown, unknown> | undefined;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /**
   * Removes and returns the restored entries of state `name` when no descriptor has registered
   * it (empty otherwise): how an operator reads, once, the state an earlier version of itself
   * kept under another layout and takes it over. The entries are gone from the backend and from
   * its next snapshot.
   */
  takeUnclaimedState(name: string): StateSnapshot[];
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /**
   * A consistent copy of every entry, grouped by key group (only non-empty groups). Values are
   * copied as they are now (the caller serializes them before the next record).
   */
  snapshot(): KeyGroupSnapshot[];
  /**
   * Like {@link KeyedStateBackend.snapshot}, for backends that can fix a consistent view
   * synchronously (when called) and read it afterwards without blocking the record path.
   */
  snapshotAsync?(): Promise<KeyGroupSnapshot[]>;
  /**
   * Incremental checkpoints: the entries written and removed since the last *confirmed*
   * checkpoint (see {@link KeyedStateBackend.confirmCheckpoint}), or every entry when `full` (a
   * new base). Like {@link KeyedStateBackend.snapshotAsync}, the point in time is the call; from it
   * on, changes count towards the next checkpoint. The result is full (`full: true`) also when
   * the backend does not know every change (it tracked too many, or had not been asked to track).
   */
  snapshotChanges?(
    checkpointId: number,
    full: boolean,
    parts?: SnapshotParts,
  ): Promise<StateChanges>;
  /**
   * Adds one file of an incremental chain (a base part or the changes of one checkpoint) straight
   * into the backend, keeping only the key groups in `range`; the files of a chain are given
   * oldest first. Unlike {@link KeyedStateBackend.restore} it holds nothing of a state the user
   * code has not registered yet in memory, so a chain larger than the heap restores. Every state
   * must come with one schema version over the whole chain (the caller checks; otherwise it merges
   * the chain and calls `restore`).
   */
  restoreChanges?(changes: StateChanges, range: KeyGroupRange): void;
  /** Starts recording changes for {@link KeyedStateBackend.snapshotChanges} (incremental checkpoints). */
  startTrackingChanges?(): void;
  /** Checkpoint `checkpointId` completed: changes up to it are saved and need no tracking. */
  confirmCheckpoint?(checkpointId: number): void;
  /** Adds the entries of `groups` (from any backend and any parallelism) to this backend. */
  restore(groups: readonly KeyGroupSnapshot[]): void;
  /** Cache and memory figures, for metrics (backends with a cache). */
  stats?(): StateBackendStats;
  /** Number of entries over all states (a metric). */
  size(): number;
  dispose(): void;
}

/**
 * The entries of one state in one key group, as columns: entry `i` is `keys[i]` (the user's key),
 * `namespaces?.[i]` (windows) and `values[i]` (ValueState: the value; ListState: an array;
 * MapState: `[k, v][]`; reducing/aggregating: the value/accumulator).
 */
export interface StateSnapshot {
  readonly name: string;
  readonly kind: StateKind;
  /** Schema version of the values (the descriptor's `version`, default 1). */
  readonly version: number;
  readonly keys: readonly unknown[];
  readonly values: readonly unknown[];
  /** Absent when no entry has a namespace. */
  readonly namespaces?: readonly (string | number | undefined)[];
  /** Expiry times (ms) of states with a TTL, so a restore keeps them; absent otherwise. */
  readonly expiresAt?: readonly number[];
  /**
   * The values as the LMDB backend stored them, when it wrote them so into an incremental
   * checkpoint (`values` is then empty): reading the file decodes them (`state-codec.ts`), so no
   * restore ever sees this. Decoding and serializing them again was most of a checkpoint's work.
   */
  readonly stored?: StoredValues;
}

/** Values in the LMDB backend's stored form (`state-value-codec.ts`), one after another. */
export interface StoredValues {
  /** The msgpack record structures the values may refer to (the codec's, at the snapshot). */
  readonly structures: readonly (readonly string[])[];
  readonly bytes: Uint8Array;
  /** End offset in `bytes` of each value (entry `i` is `bytes[ends[i - 1] ?? 0 .. ends[i]]`). */
  readonly ends: readonly number[];
}

/** Everything a backend holds for one key group: the unit of rescaling. */
export interface KeyGroupSnapshot {
  readonly keyGroup: number;
  readonly states: readonly StateSnapshot[];
}

/** Entries removed from one key group, by entry key (`entry-key.ts`). */
export interface KeyGroupRemovals {
  readonly keyGroup: number;
  readonly entryKeys: readonly string[];
}

/** What changed in a backend between two checkpoints (or everything, when `full`). */
export interface StateChanges {
  readonly full: boolean;
  /** Entries written (all entries when `full`), by key group. */
  readonly groups: readonly KeyGroupSnapshot[];
  /** Entries removed (empty when `full`). */
  readonly removed: readonly KeyGroupRemovals[];
}

/** Key groups `start` to `end`, both included. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where a snapshot goes in parts: once the entries read add up to about `bytes` (as stored), the
 * backend hands them to `write` (awaited before it reads on) and starts a new part, so a state
 * larger than the heap is never held whole. The result of the snapshot is the last part. Parts
 * of one snapshot hold disjoint entries; every part of a full one has `full` set.
 */
export interface SnapshotParts {
  readonly bytes: number;
  write(part: StateChanges): Promise<void>;
}

/** Cache and memory figures of a backend. */
export interface StateBackendStats {
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Entries held in memory (cache and write buffer). */
  readonly cachedEntries: number;
  /** Bytes of the working copy on disk. */
  readonly diskBytes: number;
}
