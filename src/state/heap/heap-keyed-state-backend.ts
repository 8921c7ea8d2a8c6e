/**
 * The default state backend: JavaScript Maps on the heap. A table per state name maps the
 * current state key (the normalized key, or for namespaced state the interned
 * {@link CompositeKey} of key and namespace) to its value.
 *
 * @module
 */
import { toMillis } from '../../util/duration.ts';
import { TtlMap } from './ttl-map.ts';
import {
  AbstractKeyedStateBackend,
  type StateHandleClasses,
} from '../abstract-keyed-state-backend.ts';
import { normalizeKey } from '../key-groups.ts';
import { CompositeKey, CompositeKeys } from './composite-keys.ts';
import type { KeyGroupSnapshot, KeyedStateBackend, StateSnapshot } from '../keyed-state-backend.ts';
import { SnapshotBuilder } from '../snapshot-builder.ts';
import type {
  AggregatingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../../core/state.ts';

/** Composite keys remembered before the first pruning (see `HeapKeyedStateBackend.partsLimit`). */
const MIN_PARTS_LIMIT = 4096;

/** A state table: state key (a normalized key, or a {@link CompositeKey}) → value. */
export interface HeapStateTable {
  readonly descriptor: StateDescriptor;
  readonly entries: Map<unknown, unknown>;
}

export class HeapKeyedStateBackend
  extends AbstractKeyedStateBackend<HeapStateTable>
  implements KeyedStateBackend
{
  currentRawKey: unknown = undefined;
  currentKey: unknown = undefined;
  /**
   * The key that tables are indexed by: the normalized key, or its {@link CompositeKey} with the
   * namespace if one is set. The composite is found when state is first touched under a key and
   * namespace, not when they are set: a window operator sets the key (under the previous
   * namespace) and then each window's namespace, and may touch no state at all for a late record.
   */
  get stateKey(): unknown {
    if (this.stale) {
      this.stale = false;
      this.currentStateKey = this.composite(this.currentKey, this.namespace as string | number);
    }
    return this.currentStateKey;
  }
  private currentStateKey: unknown = undefined;
  /** Whether {@link stateKey} must be rebuilt (a namespace is set and the key or it changed). */
  private stale = false;
  private namespace: string | number | undefined = undefined;
  /** Raw keys of object keys (whose normalized form is their JSON), for snapshots. */
  readonly rawKeys = new Map<unknown, unknown>();
  /** Size of {@link rawKeys} at which the keys no entry uses any more are dropped (as `parts`). */
  private rawKeysLimit = MIN_PARTS_LIMIT;
  /** Composite state keys and their key and namespace (namespaced state only). */
  private readonly parts = new CompositeKeys();
  /**
   * Size of {@link parts} at which the composites no table holds any more are dropped. A job
   * without checkpoints (which prune it too) would otherwise keep one entry per key and window
   * it ever saw: memory without bound for a windowed job.
   */
  private partsLimit = MIN_PARTS_LIMIT;
  protected readonly handles: StateHandleClasses<this, HeapStateTable> = HEAP_HANDLES;

  constructor(
    operatorName: string,
    private readonly maxParallelism = 128,
    /** Milliseconds now, for state TTL. */
    private readonly clock: () => number = Date.now,
  ) {
    super(operatorName);
  }

  /** The registered states of this backend, by name (broadcast state iterates their keys). */
  get states(): ReadonlyMap<string, HeapStateTable> {
    return this.tables;
  }

  private composite(k: unknown, ns: string | number): CompositeKey {
    return this.parts.of(k, ns, this.onNewComposite);
  }

  private readonly onNewComposite = (): void => {
    if (this.parts.size >= this.partsLimit) this.pruneParts();
  };

  /**
   * Drops the composites that no table holds (nor {@link stateKey}, which the next write may
   * use); amortized, the limit doubles past what is kept.
   */
  private pruneParts(): void {
    const tables = [...this.tables.values()].map((t) => t.entries);
    this.parts.retain((c) => c === this.currentStateKey || tables.some((t) => t.has(c)));
    this.partsLimit = Math.max(MIN_PARTS_LIMIT, 2 * (this.parts.size + 1));
  }

  /**
   * Remembers the user's form of an object key. Keys that no entry uses any more (their state was
   * cleared) are dropped when the map doubles past what is used: a job keyed by objects would
   * otherwise keep every key it ever saw, checkpoints or not.
   */
  private rememberRawKey(normalized: unknown, raw: unknown): void {
    const rawKeys = this.rawKeys;
    rawKeys.set(normalized, raw);
    if (rawKeys.size <= this.rawKeysLimit) return;
    const used = new Set<unknown>([normalized, this.currentKey]);
    for (const t of this.tables.values()) for (const k of t.entries.keys()) used.add(k);
    for (const c of this.parts) used.add(c.key);
    for (const k of rawKeys.keys()) if (!used.has(k)) rawKeys.delete(k);
    this.rawKeysLimit = Math.max(MIN_PARTS_LIMIT, 2 * rawKeys.size);
  }

  /** @internal Composite keys remembered for snapshots (tests check that they stay bounded). */
  get compositeKeyCount(): number {
    return this.parts.size;
  }

  setCurrentKey(rawKey: unknown): void {
    const k = normalizeKey(rawKey);
    if (k !== rawKey && !this.rawKeys.has(k)) this.rememberRawKey(k, rawKey);
    this.currentRawKey = rawKey;
    this.currentKey = k;
    this.keyChanged();
  }

  setCurrentKeyNormalized(normalizedKey: unknown, rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizedKey;
    this.keyChanged();
  }

  setCurrentNamespace(namespace: string | number | undefined): void {
    this.namespace = namespace;
    this.keyChanged();
  }

  private keyChanged(): void {
    if (this.namespace === undefined) {
      this.stale = false;
      this.currentStateKey = this.currentKey;
    } else this.stale = true;
  }

  protected createTable(descriptor: StateDescriptor): HeapStateTable {
    const ttl = descriptor.options.ttl;
    const entries =
      ttl === undefined
        ? new Map<unknown, unknown>()
        : new TtlMap(toMillis(ttl.ttl, 'ttl'), ttl.updateType === 'OnReadAndWrite', this.clock);
    return { descriptor, entries };
  }

  snapshot(): KeyGroupSnapshot[] {
    const builder = new SnapshotBuilder(this.maxParallelism);
    const usedParts = new Set<CompositeKey>();
    const rawKeys = this.rawKeys;
    for (const [name, table] of this.tables) {
      builder.state(name, table.descriptor.kind, table.descriptor.options.version ?? 1);
      const t = table.entries;
      const timed =
        t instanceof TtlMap
          ? t.timedEntries()
          : (t.entries() as Iterable<[unknown, unknown, number?]>);
      for (const [sk, v, expiresAt] of timed) {
        // Map values are saved as entry arrays; lists are copied (values are plain data).
        const value =
          v instanceof Map ? [...(v as Map<unknown, unknown>)] : Array.isArray(v) ? v.slice() : v;
        if (sk instanceof CompositeKey) {
          usedParts.add(sk);
          builder.add(sk.key, rawKeys.get(sk.key) ?? sk.key, sk.namespace, value, expiresAt);
        } else builder.add(sk, rawKeys.get(sk) ?? sk, undefined, value, expiresAt);
      }
    }
    // Pending (restored but never registered) states survive the next checkpoint too.
    for (const snap of this.pendingSnapshots()) builder.addSnapshot(snap);
    this.parts.retain((c) => c === this.currentStateKey || usedParts.has(c));
    return builder.build();
  }

  protected load(table: HeapStateTable, snap: StateSnapshot): void {
    const { descriptor, entries } = table;
    for (let i = 0; i < snap.keys.length; i++) {
      const key = snap.keys[i];
      const namespace = snap.namespaces?.[i];
      const nk = normalizeKey(key);
      if (nk !== key && !this.rawKeys.has(nk)) this.rememberRawKey(nk, key);
      const sk = namespace === undefined ? nk : this.composite(nk, namespace);
      const value = this.restoredValue(descriptor, snap, i);
      // A TTL keeps running across a restore: saved expiry times are kept.
      const expiresAt = snap.expiresAt?.[i];
      if (entries instanceof TtlMap && expiresAt !== undefined)
        entries.setExpiring(sk, value, expiresAt);
      else entries.set(sk, value);
    }
  }

  directValueTable(descriptor: ValueStateDescriptor<unknown>): Map<unknown, unknown> | undefined {
    const t = this.table(descriptor).entries;
    return t instanceof TtlMap ? undefined : t;
  }

  size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.entries.size;
    return n;
  }

  dispose(): void {
    this.tables.clear();
    this.rawKeys.clear();
    this.parts.clear();
  }
}

class HeapValueState<T> implements ValueState<T> {
  private readonly t: Map<unknown, unknown>;
  constructor(
    private readonly b: HeapKeyedStateBackend,
    table: HeapStateTable,
    private readonly defaultValue: T | undefined,
  ) {
    this.t = table.entries;
  }
  value(): T | undefined {
    const v = this.t.get(this.b.stateKey) as T | undefined;
    return v === undefined ? this.defaultValue : v;
  }
  update(value: T): void {
    if (value === undefined) this.t.delete(this.b.stateKey);
    else this.t.set(this.b.stateKey, value);
  }
  clear(): void {
    this.t.delete(this.b.stateKey);
  }
}

class HeapListState<T> implements ListState<T> {
  private readonly t: Map<unknown, unknown>;
  constructor(
    private readonly b: HeapKeyedStateBackend,
    table: HeapStateTable,
  ) {
    this.t = table.entries;
  }
  get(): T[] {
    const l = this.t.get(this.b.stateKey) as T[] | undefined;
    return l === undefined ? [] : l.slice();
  }
  add(value: T): void {
    const k = this.b.stateKey;
    const l = this.t.get(k) as T[] | undefined;
    if (l === undefined) this.t.set(k, [value]);
    else {
      l.push(value);
      if (this.t instanceof TtlMap) this.t.set(k, l); // a write refreshes the TTL
    }
  }
  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: readonly T[]): void {
    if (values.length === 0) this.t.delete(this.b.stateKey);
    else this.t.set(this.b.stateKey, values.slice());
  }
  clear(): void {
    this.t.delete(this.b.stateKey);
  }
}

class HeapMapState<UK, UV> implements MapState<UK, UV> {
  private readonly t: Map<unknown, unknown>;
  constructor(
    private readonly b: HeapKeyedStateBackend,
    table: HeapStateTable,
  ) {
    this.t = table.entries;
  }
  private map(): Map<UK, UV> | undefined {
    return this.t.get(this.b.stateKey) as Map<UK, UV> | undefined;
  }
  get(key: UK): UV | undefined {
    return this.map()?.get(key);
  }
  put(key: UK, value: UV): void {
    const k = this.b.stateKey;
    let m = this.t.get(k) as Map<UK, UV> | undefined;
    if (m === undefined) {
      m = new Map();
      this.t.set(k, m);
    } else if (this.t instanceof TtlMap) this.t.set(k, m); // a write refreshes the TTL
    m.set(key, value);
  }
  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  contains(key: UK): boolean {
    return this.map()?.has(key) ?? false;
  }
  remove(key: UK): void {
    const m = this.map();
    if (m === undefined) return;
    m.delete(key);
    if (m.size === 0) this.t.delete(this.b.stateKey);
  }
  entries(): IterableIterator<[UK, UV]> {
    return (this.map() ?? new Map<UK, UV>()).entries();
  }
  keys(): IterableIterator<UK> {
    return (this.map() ?? new Map<UK, UV>()).keys();
  }
  values(): IterableIterator<UV> {
    return (this.map() ?? new Map<UK, UV>()).values();
  }
  isEmpty(): boolean {
    return (this.map()?.size ?? 0) === 0;
  }
  clear(): void {
    this.t.delete(this.b.stateKey);
  }
}

class HeapReducingState<T> implements ReducingState<T> {
  private readonly t: Map<unknown, unknown>;
  constructor(
    private readonly b: HeapKeyedStateBackend,
    table: HeapStateTable,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    this.t = table.entries;
  }
  get(): T | undefined {
    return this.t.get(this.b.stateKey) as T | undefined;
  }
  add(value: T): void {
    const k = this.b.stateKey;
    const cur = this.t.get(k) as T | undefined;
    this.t.set(k, cur === undefined ? value : this.reduce(cur, value));
  }
  clear(): void {
    this.t.delete(this.b.stateKey);
  }
}

class HeapAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  private readonly t: Map<unknown, unknown>;
  constructor(
    private readonly b: HeapKeyedStateBackend,
    table: HeapStateTable,
    private readonly d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ) {
    this.t = table.entries;
  }
  get(): OUT | undefined {
    const acc = this.t.get(this.b.stateKey) as ACC | undefined;
    return acc === undefined ? undefined : this.d.aggregate.getResult(acc);
  }
  add(value: IN): void {
    const k = this.b.stateKey;
    let acc = this.t.get(k) as ACC | undefined;
    if (acc === undefined) acc = this.d.aggregate.createAccumulator();
    this.t.set(k, this.d.aggregate.add(value, acc));
  }
  clear(): void {
    this.t.delete(this.b.stateKey);
  }
}

const HEAP_HANDLES: StateHandleClasses<HeapKeyedStateBackend, HeapStateTable> = {
  value: HeapValueState,
  list: HeapListState,
  map: HeapMapState,
  reducing: HeapReducingState,
  aggregating: HeapAggregatingState,
};
