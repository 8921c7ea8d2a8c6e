/**
 * A keyed state backend on LMDB, for state larger than memory.
 *
 * Reads are synchronous (`getBinaryFast` + `v8.deserialize`) and go through a cache of recently
 * used entries. Writes go to that cache and mark the entry dirty (the cache is thus the write
 * buffer, and where the live objects of list and map states are mutated); dirty entries are
 * flushed to LMDB in one synchronous write transaction once there are `flushThreshold` of them,
 * and at every snapshot. After a flush the cache is dropped if it outgrew `cacheEntries`. The environment is opened with `noSync`: the
 * LMDB files are a working copy, and durability comes from checkpoints (as Flink disables the
 * RocksDB WAL). A snapshot flushes the buffer and iterates a read transaction, which sees one
 * consistent version of the data.
 *
 * Entries are stored under `<state name>\0<encoded key>[\1<namespace>]` as the v8 serialization
 * of `[rawKey, namespace, value, expiresAt]`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type * as Lmdb from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { EddyError } from '../../errors/eddy-error.ts';
import { isProcessAlive, processStartTime } from '../../util/process-liveness.ts';
import { toMillis } from '../../util/duration.ts';
import {
  AbstractKeyedStateBackend,
  type StateHandleClasses,
} from '../abstract-keyed-state-backend.ts';
import { normalizeKey } from '../key-groups.ts';
import type { KeyGroupSnapshot, KeyedStateBackend, StateSnapshot } from '../keyed-state-backend.ts';
import { SnapshotBuilder } from '../snapshot-builder.ts';
import type { AggregatingStateDescriptor, StateDescriptor } from '../../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../../core/state.ts';

/**
 * The `lmdb` package, loaded on first use: it loads native modules (LMDB, msgpackr), which a job
 * on the heap backend never needs (and `import 'eddy'` must not pay for).
 */
let lmdbModule: typeof Lmdb | undefined;
function lmdb(): typeof Lmdb {
  lmdbModule ??= createRequire(import.meta.url)('lmdb') as typeof Lmdb;
  return lmdbModule;
}

/** Options of {@link LmdbKeyedStateBackend}. */
export interface LmdbKeyedStateBackendOptions {
  /** Parent directory; the backend creates (and on dispose deletes) its own subdirectory. */
  readonly dir: string;
  /** Operator name, for errors. */
  readonly operatorName: string;
  readonly maxParallelism?: number;
  /** Dirty entries buffered before a write transaction (default 50 000). */
  readonly flushThreshold?: number;
  /** Entries kept in the read cache (default 200 000). */
  readonly cacheEntries?: number;
  /** Milliseconds now, for state TTL (default `Date.now`). */
  readonly clock?: () => number;
}

/** An entry in the write buffer or as stored. `expiresAt` is NaN without TTL. */
interface Rec {
  readonly raw: unknown;
  readonly ns: string | number | undefined;
  value: unknown;
  expiresAt: number;
}

/** A registered state: its descriptor and TTL settings. */
interface Table {
  readonly descriptor: StateDescriptor;
  readonly prefix: string;
  readonly ttlMs: number | undefined;
  readonly refreshOnRead: boolean;
}

function encodeKey(k: unknown): string {
  switch (typeof k) {
    case 'number':
      return `n${k}`;
    case 'string':
      return `s${k}`;
    case 'boolean':
      return k ? 'b1' : 'b0';
    case 'bigint':
      return `i${k}`;
    case 'undefined':
      return 'u';
    default:
      return `s${String(k)}`;
  }
}

/** Less free space than this on a write failure: the disk is full. */
const DISK_FULL_BYTES = 16 * 1024 * 1024;

/** This process's start time, in working-copy names (see {@link removeStaleWorkingCopies}). */
const START = processStartTime(process.pid) ?? '0';

const WORKING_COPY = /^lmdb-(\d+)-(?:(\d+)-)?[0-9a-f]{12}$/;

/**
 * Deletes the working copies in `dir` of processes that no longer run. A backend deletes its own
 * on dispose, but a process killed with SIGKILL cannot: without this, every kill left one behind
 * (its whole state) until the disk filled.
 */
export function removeStaleWorkingCopies(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = WORKING_COPY.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    // Names without a start time come from Eddy versions that did not write one.
    const start = m[2] === undefined || m[2] === '0' ? undefined : m[2];
    if (pid === process.pid && (start === undefined || start === START)) continue;
    if (!isProcessAlive(pid, start)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

export class LmdbKeyedStateBackend
  extends AbstractKeyedStateBackend<Table>
  implements KeyedStateBackend
{
  currentRawKey: unknown = undefined;
  currentKey: unknown = undefined;
  private encodedKey = 'u';
  private namespace: string | number | undefined = undefined;
  /** Encoded key with the namespace appended, the suffix of every entry key. */
  private suffix = 'u';
  private readonly db: RootDatabase<Buffer, string>;
  private readonly path: string;
  /** Recently used entries by entry key; `undefined`: known absent (or deleted). */
  private readonly cache = new Map<string, Rec | undefined>();
  /** Entry keys written since the last flush. */
  private readonly dirty = new Set<string>();
  private readonly cacheEntries: number;
  private disposed = false;
  private readonly maxParallelism: number;
  private readonly flushThreshold: number;
  protected readonly handles: StateHandleClasses<this, Table> = LMDB_HANDLES;
  /** @internal */
  readonly clock: () => number;

  constructor(options: LmdbKeyedStateBackendOptions) {
    super(options.operatorName);
    removeStaleWorkingCopies(options.dir);
    this.path = join(options.dir, `lmdb-${process.pid}-${START}-${randomBytes(6).toString('hex')}`);
    try {
      this.db = lmdb().open<Buffer, string>({ path: this.path, noSync: true, encoding: 'binary' });
    } catch (e) {
      throw this.diskError('open its working copy in', e);
    }
    this.maxParallelism = options.maxParallelism ?? 128;
    this.flushThreshold = options.flushThreshold ?? 50_000;
    this.cacheEntries = Math.max(options.cacheEntries ?? 200_000, this.flushThreshold);
    this.clock = options.clock ?? Date.now;
  }

  setCurrentKey(rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizeKey(rawKey);
    this.encodedKey = encodeKey(this.currentKey);
    this.updateSuffix();
  }

  setCurrentKeyNormalized(normalizedKey: unknown, rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizedKey;
    this.encodedKey = encodeKey(normalizedKey);
    this.updateSuffix();
  }

  setCurrentNamespace(namespace: string | number | undefined): void {
    this.namespace = namespace;
    this.updateSuffix();
  }

  private updateSuffix(): void {
    const ns = this.namespace;
    this.suffix = ns === undefined ? this.encodedKey : `${this.encodedKey}\u0001${encodeKey(ns)}`;
  }

  /** @internal The entry of the current key in `table`, or undefined (expired entries too). */
  read(table: Table): Rec | undefined {
    const k = table.prefix + this.suffix;
    let rec = this.cache.get(k);
    if (rec === undefined && !this.cache.has(k)) {
      const buf = this.db.getBinaryFast(k);
      if (buf !== undefined) {
        const [raw, ns, value, expiresAt] = deserialize(buf) as [
          unknown,
          Rec['ns'],
          unknown,
          number,
        ];
        rec = { raw, ns, value, expiresAt };
      }
      this.cache.set(k, rec);
    }
    if (rec === undefined) return undefined;
    if (table.ttlMs !== undefined) {
      const now = this.clock();
      if (rec.expiresAt <= now) {
        this.write(k, undefined); // never return expired state; clean it up while here
        return undefined;
      }
      if (table.refreshOnRead) {
        rec.expiresAt = now + table.ttlMs;
        this.write(k, rec);
      }
    }
    return rec;
  }

  /** @internal Writes the current key's entry (or deletes it with `undefined`). */
  put(table: Table, value: unknown, existing: Rec | undefined): void {
    const k = table.prefix + this.suffix;
    const expiresAt = table.ttlMs === undefined ? Number.NaN : this.clock() + table.ttlMs;
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAt = expiresAt;
      this.write(k, existing);
    } else this.write(k, { raw: this.currentRawKey, ns: this.namespace, value, expiresAt });
  }

  /** @internal */
  remove(table: Table): void {
    this.write(table.prefix + this.suffix, undefined);
  }

  private write(k: string, rec: Rec | undefined): void {
    this.cache.set(k, rec);
    this.dirty.add(k);
    if (this.dirty.size >= this.flushThreshold) this.flush();
  }

  /** Writes the buffer to LMDB in one transaction (no fsync: checkpoints give durability). */
  flush(): void {
    if (this.dirty.size === 0) return;
    const { db, dirty, cache } = this;
    this.writeTransaction(() => {
      for (const k of dirty) {
        const rec = cache.get(k);
        if (rec === undefined) db.removeSync(k);
        else db.putSync(k, serialize([rec.raw, rec.ns, rec.value, rec.expiresAt]));
      }
    });
    dirty.clear();
    if (cache.size > this.cacheEntries) cache.clear();
  }

  /**
   * One write transaction. A failure there is the disk's, not the user function's that happened
   * to write the state (LMDB reports a full disk as an I/O error): it is said so, with the
   * free space left.
   */
  private writeTransaction(body: () => void): void {
    try {
      this.db.transactionSync(body);
    } catch (e) {
      throw this.diskError('write to', e);
    }
  }

  private diskError(what: string, e: unknown): EddyError {
    const dir = dirname(this.path);
    const cause = e instanceof Error ? e.message : String(e);
    let free: number | undefined;
    try {
      const fs = statfsSync(dir);
      free = fs.bavail * fs.bsize;
    } catch {
      // The directory may not exist (or not be reachable) at all; the cause says so.
    }
    const full = free !== undefined && free < DISK_FULL_BYTES;
    return new EddyError(
      full
        ? `the LMDB state backend could not ${what} ${dir}: the disk is full (${free} bytes free; ${cause})`
        : `the LMDB state backend could not ${what} ${dir}: ${cause}`,
      {
        code: 'IO_ERROR',
        domain: 'external',
        retryable: true,
        cause: e,
        operator: { name: this.operatorName },
        hint: full
          ? 'free space on that disk, or point stateDir (--state-dir) at a larger one; the job restarts from its newest checkpoint as its restart strategy allows'
          : 'check that stateDir (--state-dir) is a writable local directory',
      },
    );
  }

  protected createTable(descriptor: StateDescriptor): Table {
    const ttl = descriptor.options.ttl;
    return {
      descriptor,
      prefix: `${descriptor.name}\u0000`,
      ttlMs: ttl === undefined ? undefined : toMillis(ttl.ttl, 'ttl'),
      refreshOnRead: ttl?.updateType === 'OnReadAndWrite',
    };
  }

  snapshot(): KeyGroupSnapshot[] {
    this.flush();
    const builder = new SnapshotBuilder(this.maxParallelism);
    const now = this.clock();
    const expired: string[] = [];
    const add = this.collector(builder, now, expired);
    // One read transaction: a consistent view even if something wrote meanwhile.
    for (const { key, value } of this.db.getRange({ snapshot: true })) add(key, value);
    if (expired.length > 0) {
      // TTL: expired entries are not saved, and are deleted now.
      this.writeTransaction(() => {
        for (const k of expired) this.db.removeSync(k);
      });
    }
    for (const snap of this.pendingSnapshots()) builder.addSnapshot(snap);
    return builder.build();
  }

  /**
   * A snapshot whose point in time is the call: the write buffer is flushed and a read
   * transaction opened synchronously; the entries are then read in chunks between which the
   * record path runs (LMDB readers never block the writer, and never see its later writes).
   */
  async snapshotAsync(): Promise<KeyGroupSnapshot[]> {
    this.flush();
    const builder = new SnapshotBuilder(this.maxParallelism);
    const add = this.collector(builder, this.clock(), undefined, new Map(this.tables));
    const pending = this.pendingSnapshots();
    const it = this.db.getRange({ snapshot: true })[Symbol.iterator]();
    let n = it.next(); // opens the read transaction now
    for (let count = 1; n.done !== true; count++) {
      add(n.value.key, n.value.value);
      if (count % 20_000 === 0) {
        await new Promise<void>((r) => setImmediate(r));
        if (this.disposed) throw new Error('the state backend was closed during a snapshot');
      }
      n = it.next();
    }
    for (const snap of pending) builder.addSnapshot(snap);
    return builder.build();
  }

  /** Adds stored entries to `builder`, skipping (and listing in `expired`) expired ones. */
  private collector(
    builder: SnapshotBuilder,
    now: number,
    expired: string[] | undefined,
    tables: ReadonlyMap<string, Table> = this.tables,
  ): (key: string, value: Buffer) => void {
    let state = '';
    return (key, value) => {
      const name = key.slice(0, key.indexOf('\u0000'));
      const [raw, ns, v, expiresAt] = deserialize(value) as [unknown, Rec['ns'], unknown, number];
      if (expiresAt <= now) {
        expired?.push(key);
        return;
      }
      if (name !== state) {
        state = name;
        const d = tables.get(name)?.descriptor;
        builder.state(name, d?.kind ?? 'value', d?.options.version ?? 1);
      }
      builder.add(
        normalizeKey(raw),
        raw,
        ns,
        v instanceof Map ? [...(v as Map<unknown, unknown>)] : v,
        Number.isNaN(expiresAt) ? undefined : expiresAt,
      );
    };
  }

  protected load(table: Table, snap: StateSnapshot): void {
    const { descriptor } = table;
    const now = this.clock();
    const freshExpiry = table.ttlMs === undefined ? Number.NaN : now + table.ttlMs;
    const savedKey = this.currentRawKey;
    const savedNormalized = this.currentKey;
    const savedNs = this.namespace;
    for (let i = 0; i < snap.keys.length; i++) {
      const key = snap.keys[i];
      const ns = snap.namespaces?.[i];
      const value = this.restoredValue(descriptor, snap, i);
      this.setCurrentKey(key);
      this.setCurrentNamespace(ns);
      // A TTL keeps running across a restore: saved expiry times are kept, expired entries dropped.
      const savedExpiry = snap.expiresAt?.[i];
      const expiresAt = table.ttlMs === undefined ? Number.NaN : (savedExpiry ?? freshExpiry);
      if (expiresAt <= now) continue;
      this.write(table.prefix + this.suffix, { raw: key, ns, value, expiresAt });
    }
    // Normalized already (and possibly no key yet, which setCurrentKey would refuse).
    this.setCurrentKeyNormalized(savedNormalized, savedKey);
    this.setCurrentNamespace(savedNs);
  }

  size(): number {
    this.flush();
    return this.db.getCount();
  }

  /** Closes LMDB and deletes the working copy. */
  dispose(): void {
    this.disposed = true;
    this.dirty.clear();
    this.cache.clear();
    this.db.close().catch(() => {});
    rmSync(this.path, { recursive: true, force: true });
  }
}

class LmdbValueState<T> implements ValueState<T> {
  constructor(
    private readonly b: LmdbKeyedStateBackend,
    private readonly t: Table,
    private readonly defaultValue: T | undefined,
  ) {}
  value(): T | undefined {
    const r = this.b.read(this.t);
    return r === undefined ? this.defaultValue : (r.value as T);
  }
  update(value: T): void {
    if (value === undefined) this.b.remove(this.t);
    else this.b.put(this.t, value, undefined);
  }
  clear(): void {
    this.b.remove(this.t);
  }
}

class LmdbListState<T> implements ListState<T> {
  constructor(
    private readonly b: LmdbKeyedStateBackend,
    private readonly t: Table,
  ) {}
  get(): T[] {
    const r = this.b.read(this.t);
    return r === undefined ? [] : (r.value as T[]).slice();
  }
  add(value: T): void {
    const r = this.b.read(this.t);
    if (r === undefined) this.b.put(this.t, [value], undefined);
    else {
      (r.value as T[]).push(value);
      this.b.put(this.t, r.value, r);
    }
  }
  addAll(values: readonly T[]): void {
    if (values.length === 0) return;
    const r = this.b.read(this.t);
    const list = r === undefined ? [] : (r.value as T[]);
    list.push(...values);
    this.b.put(this.t, list, r);
  }
  update(values: readonly T[]): void {
    if (values.length === 0) this.b.remove(this.t);
    else this.b.put(this.t, values.slice(), undefined);
  }
  clear(): void {
    this.b.remove(this.t);
  }
}

class LmdbMapState<UK, UV> implements MapState<UK, UV> {
  constructor(
    private readonly b: LmdbKeyedStateBackend,
    private readonly t: Table,
  ) {}
  private map(): Map<UK, UV> | undefined {
    return this.b.read(this.t)?.value as Map<UK, UV> | undefined;
  }
  get(key: UK): UV | undefined {
    return this.map()?.get(key);
  }
  put(key: UK, value: UV): void {
    const r = this.b.read(this.t);
    const m = r === undefined ? new Map<UK, UV>() : (r.value as Map<UK, UV>);
    m.set(key, value);
    this.b.put(this.t, m, r);
  }
  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  contains(key: UK): boolean {
    return this.map()?.has(key) ?? false;
  }
  remove(key: UK): void {
    const r = this.b.read(this.t);
    if (r === undefined) return;
    const m = r.value as Map<UK, UV>;
    m.delete(key);
    if (m.size === 0) this.b.remove(this.t);
    else this.b.put(this.t, m, r);
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
    this.b.remove(this.t);
  }
}

class LmdbReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly b: LmdbKeyedStateBackend,
    private readonly t: Table,
    private readonly reduce: (a: T, b: T) => T,
  ) {}
  get(): T | undefined {
    return this.b.read(this.t)?.value as T | undefined;
  }
  add(value: T): void {
    const r = this.b.read(this.t);
    this.b.put(this.t, r === undefined ? value : this.reduce(r.value as T, value), r);
  }
  clear(): void {
    this.b.remove(this.t);
  }
}

class LmdbAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  constructor(
    private readonly b: LmdbKeyedStateBackend,
    private readonly t: Table,
    private readonly d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ) {}
  get(): OUT | undefined {
    const r = this.b.read(this.t);
    return r === undefined ? undefined : this.d.aggregate.getResult(r.value as ACC);
  }
  add(value: IN): void {
    const r = this.b.read(this.t);
    const acc = r === undefined ? this.d.aggregate.createAccumulator() : (r.value as ACC);
    this.b.put(this.t, this.d.aggregate.add(value, acc), r);
  }
  clear(): void {
    this.b.remove(this.t);
  }
}

const LMDB_HANDLES: StateHandleClasses<LmdbKeyedStateBackend, Table> = {
  value: LmdbValueState,
  list: LmdbListState,
  map: LmdbMapState,
  reducing: LmdbReducingState,
  aggregating: LmdbAggregatingState,
};
