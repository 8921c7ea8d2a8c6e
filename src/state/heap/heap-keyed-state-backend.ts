/**
 * The default state backend: JavaScript Maps on the heap. A table per state name maps the
 * current state key (the normalized key, or `key␁namespace` for namespaced state) to its value.
 *
 * @module
 */
import { userError } from '../../errors/eddy-error.ts';
import { normalizeKey } from '../key-groups.ts';
import type { KeyedStateBackend } from '../keyed-state-backend.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../state-descriptor.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state.ts';

/** Separates key and namespace in a composite state key. */
const NS = '\u0001';

/** A state table: state key → value, plus the user's raw key of composite keys. */
export interface HeapStateTable {
  readonly descriptor: StateDescriptor;
  readonly entries: Map<unknown, unknown>;
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  currentRawKey: unknown = undefined;
  currentKey: unknown = undefined;
  /** The key that tables are indexed by: the normalized key, with the namespace appended if set. */
  stateKey: unknown = undefined;
  private namespace: string | number | undefined = undefined;
  /** Raw keys of object keys (whose normalized form is their JSON), for snapshots. */
  readonly rawKeys = new Map<unknown, unknown>();
  readonly tables = new Map<string, HeapStateTable>();

  constructor(private readonly operatorName: string) {}

  setCurrentKey(rawKey: unknown): void {
    const k = normalizeKey(rawKey);
    if (k !== rawKey && !this.rawKeys.has(k)) this.rawKeys.set(k, rawKey);
    this.currentRawKey = rawKey;
    this.currentKey = k;
    this.stateKey = this.namespace === undefined ? k : `${String(k)}${NS}${this.namespace}`;
  }

  setCurrentKeyNormalized(normalizedKey: unknown, rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizedKey;
    this.stateKey =
      this.namespace === undefined
        ? normalizedKey
        : `${String(normalizedKey)}${NS}${this.namespace}`;
  }

  setCurrentNamespace(namespace: string | number | undefined): void {
    this.namespace = namespace;
    const k = this.currentKey;
    this.stateKey = namespace === undefined ? k : `${String(k)}${NS}${namespace}`;
  }

  private table(descriptor: StateDescriptor): Map<unknown, unknown> {
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
      return existing.entries;
    }
    const entries = new Map<unknown, unknown>();
    this.tables.set(descriptor.name, { descriptor, entries });
    return entries;
  }

  getValueState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return new HeapValueState<T>(this, this.table(descriptor), descriptor.options.defaultValue);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return new HeapListState<T>(this, this.table(descriptor));
  }
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return new HeapMapState<UK, UV>(this, this.table(descriptor));
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return new HeapReducingState<T>(this, this.table(descriptor), descriptor.reduce);
  }
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> {
    return new HeapAggregatingState<IN, ACC, OUT>(this, this.table(descriptor), descriptor);
  }

  size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.entries.size;
    return n;
  }

  dispose(): void {
    this.tables.clear();
    this.rawKeys.clear();
  }
}

class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly b: HeapKeyedStateBackend,
    private readonly t: Map<unknown, unknown>,
    private readonly defaultValue: T | undefined,
  ) {}
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
  constructor(
    private readonly b: HeapKeyedStateBackend,
    private readonly t: Map<unknown, unknown>,
  ) {}
  get(): T[] {
    const l = this.t.get(this.b.stateKey) as T[] | undefined;
    return l === undefined ? [] : l.slice();
  }
  add(value: T): void {
    const k = this.b.stateKey;
    const l = this.t.get(k) as T[] | undefined;
    if (l === undefined) this.t.set(k, [value]);
    else l.push(value);
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
  constructor(
    private readonly b: HeapKeyedStateBackend,
    private readonly t: Map<unknown, unknown>,
  ) {}
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
    }
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
  constructor(
    private readonly b: HeapKeyedStateBackend,
    private readonly t: Map<unknown, unknown>,
    private readonly reduce: (a: T, b: T) => T,
  ) {}
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
  constructor(
    private readonly b: HeapKeyedStateBackend,
    private readonly t: Map<unknown, unknown>,
    private readonly d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ) {}
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
