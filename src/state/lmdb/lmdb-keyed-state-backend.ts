/**
 * A keyed state backend on LMDB, for state larger than memory.
 *
 * Reads are synchronous (`getBinaryFast`) and go through a cache of entries; writes go to that
 * cache and mark the entry dirty, so the cache is also the write buffer (and where the live
 * objects of list and map states are mutated). Its size comes from the memory budget
 * (`memoryBytes`, the `stateMemory` option): once it holds more entries than the budget allows,
 * the dirty ones are written to LMDB in one synchronous write transaction and the entries not used
 * since the previous eviction are dropped (a CLOCK approximation of LRU). A key that stays hot is
 * thus written once per eviction or checkpoint, not once per record, and a state that fits the
 * budget is only written at checkpoints. Values are stored in a compact binary form
 * (`state-value-codec.ts`: msgpack with records, 8-byte numbers, `v8.serialize` otherwise).
 *
 * The environment is opened with `noSync`: the LMDB files are a working copy, and durability
 * comes from checkpoints (as Flink disables the RocksDB WAL); not with the write map, which is
 * faster but makes LMDB abort the process on an assertion (ADR 0024). A snapshot flushes the
 * buffer and iterates a read transaction, which sees one consistent version of the data. For incremental
 * checkpoints every flushed entry is also appended to a log of changes (`change-log.ts`), from
 * which `snapshotChanges` takes what changed since the last confirmed checkpoint (ADR 0020).
 *
 * Entries are stored under their entry key (`entry-key.ts`: state name, key, namespace).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Lmdb from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { EddyError } from '../../errors/eddy-error.ts';
import { isProcessAlive, processStartTime } from '../../util/process-liveness.ts';
import { toMillis } from '../../util/duration.ts';
import {
  AbstractKeyedStateBackend,
  type StateHandleClasses,
} from '../abstract-keyed-state-backend.ts';
import { encodeKeyPart, primitiveKeyOf, statePrefix, stateRangeEnd } from '../entry-key.ts';
import { keyGroupOf, normalizeKey } from '../key-groups.ts';
import {
  type KeyGroupRange,
  type KeyGroupRemovals,
  type KeyGroupSnapshot,
  type KeyedStateBackend,
  type SnapshotParts,
  type StateBackendStats,
  type StateChanges,
  type StateSnapshot,
} from '../keyed-state-backend.ts';
import { SnapshotBuilder } from '../snapshot-builder.ts';
import { checkCompatible } from '../check-compatible.ts';
import type {
  AggregatingStateDescriptor,
  StateDescriptor,
  StateKind,
} from '../../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../../core/state.ts';
import { StateValueCodec, type DecodedEntry } from './state-value-codec.ts';
import { ChangeLog, type ChangeLogReader } from './change-log.ts';
import { partitionByKeyRange } from './key-range-partition.ts';

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
  /**
   * Memory for the cache and write buffer, in bytes (default 64 MiB). The number of entries it
   * holds is estimated from the entries' stored size.
   */
  readonly memoryBytes?: number;
  /** Entries in the cache, overriding the estimate from `memoryBytes` (tests). */
  readonly cacheEntries?: number;
  /** @deprecated the same as `cacheEntries`. */
  readonly flushThreshold?: number;
  /** Milliseconds now, for state TTL (default `Date.now`). */
  readonly clock?: () => number;
  /**
   * Changed entries an incremental checkpoint de-duplicates on the heap at once (default: one per
   * 64 bytes of `memoryBytes`, at most 4 M); a checkpoint with more reads the log of changes in
   * several passes, each taking a share of the entries.
   */
  readonly maxTrackedChanges?: number;
  /** Restored entries written per LMDB write transaction (default 1 M; tests use a few). */
  readonly restoreBatchEntries?: number;
}

/**
 * An entry in the cache: as stored, or known absent (`present` false). `dirty`: written since the
 * last flush; `hot`: read since the last eviction.
 */
class Rec {
  dirty = false;
  hot = false;
  /** In its table's cache (an evicted entry may still be written through a handle). */
  cached = false;
  /** The entry key, computed when LMDB needs it. */
  key: string | undefined = undefined;
  constructor(
    readonly table: Table,
    /** Normalized key. */
    readonly nk: unknown,
    readonly raw: unknown,
    readonly ns: string | number | undefined,
    public value: unknown,
    public expiresAt: number,
    public present: boolean,
  ) {}
}

/** A registered state: its descriptor, TTL settings and cached entries. */
interface Table {
  readonly descriptor: StateDescriptor;
  readonly prefix: string;
  /** Cached entries without namespace, by normalized key (the hit path costs one Map lookup). */
  readonly byKey: Map<unknown, Rec>;
  /** Cached entries with a namespace, by key and namespace encoded. */
  readonly byNs: Map<string, Rec>;
  readonly ttlMs: number | undefined;
  readonly refreshOnRead: boolean;
}

/** Kind and schema version of a restored state's entries. */
interface StateInfoOfRestore {
  readonly kind: StateKind;
  readonly version: number;
}

/** Entries re-encoded per write transaction when a restored state is migrated. */
const MIGRATE_CHUNK = 10_000;

/** Removed entry keys by key group, as a snapshot lists them. */
function removals(removed: ReadonlyMap<number, string[]>): KeyGroupRemovals[] {
  return [...removed]
    .sort((a, b) => a[0] - b[0])
    .map(([keyGroup, entryKeys]) => ({ keyGroup, entryKeys }));
}

/**
 * Entries per write transaction of a flush. Smaller transactions touch the tree's upper pages more
 * often; larger ones pay LMDB's quadratic dirty-page list (see `flush`). At 10 M keys, 2 000 did a
 * write in 5.3 µs, 10 000 in 7.0 µs, one transaction of 140 000 in 25 µs.
 */
const FLUSH_CHUNK = 2000;

/** Default memory budget of one backend. */
const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
/** Bytes of the memory budget per change tracked for incremental checkpoints. */
const BYTES_PER_CHANGE = 64;
/** Stored size assumed of an entry before the first flush measures it. */
const INITIAL_ENTRY_BYTES = 4096;
/** Bytes an entry costs in the cache besides its stored size (Map slot, key string, objects). */
const ENTRY_OVERHEAD_BYTES = 200;

/** Restored entries per write transaction by default (bounds a transaction's dirty pages). */
const LOAD_CHUNK = 1_000_000;

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
  private namespace: string | number | undefined = undefined;
  /** With a namespace: key and namespace encoded, the cache key in `Table.byNs`. */
  private suffix = '';
  private readonly db: RootDatabase<Buffer, string>;
  private readonly path: string;
  private readonly codec = new StateValueCodec();
  private readonly decoded: DecodedEntry = {
    value: undefined,
    expiresAt: Number.NaN,
    withKey: false,
    raw: undefined,
    ns: undefined,
  };
  /** Entries in the tables' caches (the read cache and the write buffer). */
  private cached = 0;
  /** Entries written since the last flush. */
  private dirty: Rec[] = [];
  private capacity: number;
  private readonly fixedCapacity: boolean;
  private readonly memoryBytes: number;
  private disposed = false;
  private readonly maxParallelism: number;
  private readonly maxTrackedChanges: number;
  private readonly restoreBatch: number;
  /**
   * Entries flushed since change tracking started, one segment per snapshot of changes; undefined
   * until incremental checkpoints ask (and while restored entries are written: they are no change).
   */
  private log: ChangeLog | undefined;
  /** Snapshots of changes taken but not confirmed yet, oldest first. */
  private readonly unconfirmed: {
    readonly id: number;
    /** The {@link LmdbKeyedStateBackend.epoch} of the snapshot: its segment of the log. */
    readonly epoch: number;
  }[] = [];
  /** Snapshots of changes taken so far; changes made now go into snapshot `epoch + 1`. */
  private epoch = 0;
  private hits = 0;
  private misses = 0;
  /** Bytes of stored values decoded by range reads (sizes the parts of a snapshot). */
  private readBytes = 0;
  /** Range reads return values as stored, not decoded (while a base reads them so). */
  private storedRange = false;
  /**
   * States restored by {@link LmdbKeyedStateBackend.restoreChanges} that the user code has not
   * registered yet: their entries are in LMDB as saved (schema version and all), not in memory.
   */
  private readonly restored = new Map<string, StateInfoOfRestore>();
  protected readonly handles: StateHandleClasses<this, Table> = LMDB_HANDLES;
  /** @internal */
  readonly clock: () => number;

  constructor(options: LmdbKeyedStateBackendOptions) {
    super(options.operatorName);
    removeStaleWorkingCopies(options.dir);
    this.path = join(options.dir, `lmdb-${process.pid}-${START}-${randomBytes(6).toString('hex')}`);
    try {
      this.db = lmdb().open<Buffer, string>({
        path: this.path,
        noSync: true,
        encoding: 'binary',
        // Puts take the stored form as it is; range reads decode straight from LMDB's shared read
        // buffer (with encoding 'binary' alone, every value read was copied into a new Buffer).
        encoder: {
          encode: (value: Buffer): Buffer => value,
          decode: (bytes: Uint8Array, size: number): DecodedEntry | Uint8Array => {
            this.readBytes += size;
            // A view of LMDB's shared buffer: the caller copies what it keeps before reading on.
            if (this.storedRange) return bytes.subarray(0, size);
            return this.codec.decode(bytes, this.decoded, size);
          },
        },
      });
    } catch (e) {
      throw this.diskError('open its working copy in', e);
    }
    this.maxParallelism = options.maxParallelism ?? 128;
    this.memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    const fixed = options.cacheEntries ?? options.flushThreshold;
    this.fixedCapacity = fixed !== undefined;
    // Until the first flush tells the real size of entries, assume large ones: assuming small
    // ones let a budget of 16 MiB fill with 50 k entries of 2 KiB (100 MiB of heap) before the
    // first eviction. Small entries only flush once sooner; the estimate then grows.
    this.capacity = fixed ?? this.estimateCapacity(INITIAL_ENTRY_BYTES);
    // The map of changes lives on the heap beside the cache (~100 bytes an entry): it gets a
    // share of the budget (64 MiB: 1 M changes), past which a base is cheaper than the map.
    this.maxTrackedChanges =
      options.maxTrackedChanges ??
      Math.min(4_000_000, Math.max(10_000, Math.floor(this.memoryBytes / BYTES_PER_CHANGE)));
    this.restoreBatch = Math.max(1, options.restoreBatchEntries ?? LOAD_CHUNK);
    this.clock = options.clock ?? Date.now;
  }

  /** Entries the budget holds when stored entries average `storedBytes`. */
  private estimateCapacity(storedBytes: number): number {
    // Each entry is held as its object graph, roughly twice its stored size, plus overhead.
    return Math.max(1000, Math.floor(this.memoryBytes / (ENTRY_OVERHEAD_BYTES + 2 * storedBytes)));
  }

  setCurrentKey(rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizeKey(rawKey);
    if (this.namespace !== undefined) this.updateSuffix();
  }

  setCurrentKeyNormalized(normalizedKey: unknown, rawKey: unknown): void {
    this.currentRawKey = rawKey;
    this.currentKey = normalizedKey;
    if (this.namespace !== undefined) this.updateSuffix();
  }

  setCurrentNamespace(namespace: string | number | undefined): void {
    this.namespace = namespace;
    this.updateSuffix();
  }

  private updateSuffix(): void {
    const ns = this.namespace;
    this.suffix =
      ns === undefined ? '' : `${encodeKeyPart(this.currentKey)}\u0001${encodeKeyPart(ns)}`;
  }

  /** @internal The entry of the current key in `table`, or undefined (expired entries too). */
  read(table: Table): Rec | undefined {
    let rec =
      this.namespace === undefined ? table.byKey.get(this.currentKey) : table.byNs.get(this.suffix);
    if (rec === undefined) rec = this.fetch(table);
    else {
      rec.hot = true;
      this.hits++;
    }
    if (!rec.present) return undefined;
    if (table.ttlMs !== undefined) {
      const now = this.clock();
      if (rec.expiresAt <= now) {
        this.write(table, undefined); // never return expired state; clean it up while here
        return undefined;
      }
      if (table.refreshOnRead) {
        rec.expiresAt = now + table.ttlMs;
        this.write(table, rec);
      }
    }
    return rec;
  }

  /** Reads an entry of the current key and namespace from LMDB into the cache. */
  private fetch(table: Table): Rec {
    this.misses++;
    const rec = this.newRec(table, undefined, Number.NaN, false);
    const buf = this.db.getBinaryFast(this.entryKey(rec));
    if (buf !== undefined) {
      const d = this.codec.decode(buf, this.decoded);
      rec.value = d.value;
      rec.expiresAt = d.expiresAt;
      rec.present = true;
    }
    this.insert(rec);
    if (this.cached > this.capacity) this.evict();
    return rec;
  }

  private newRec(table: Table, value: unknown, expiresAt: number, present: boolean): Rec {
    return new Rec(
      table,
      this.currentKey,
      this.currentRawKey,
      this.namespace,
      value,
      expiresAt,
      present,
    );
  }

  /** The entry key of a cached entry (its key in LMDB). */
  private entryKey(rec: Rec): string {
    let k = rec.key;
    if (k === undefined) {
      const ns = rec.ns;
      const key = encodeKeyPart(rec.nk);
      k = rec.key =
        ns === undefined
          ? rec.table.prefix + key
          : `${rec.table.prefix}${key}\u0001${encodeKeyPart(ns)}`;
    }
    return k;
  }

  /** Puts an entry (of the current key and namespace) into its table's cache. */
  private insert(rec: Rec): void {
    rec.cached = true;
    this.cached++;
    if (rec.ns === undefined) {
      const old = rec.table.byKey.get(rec.nk);
      rec.table.byKey.set(rec.nk, rec);
      if (old !== undefined) {
        old.cached = false;
        this.cached--;
      }
    } else {
      const old = rec.table.byNs.get(this.suffix);
      rec.table.byNs.set(this.suffix, rec);
      if (old !== undefined) {
        old.cached = false;
        this.cached--;
      }
    }
  }

  /** @internal Writes the current key's entry (or deletes it with `undefined`). */
  put(table: Table, value: unknown, existing: Rec | undefined): void {
    const expiresAt = table.ttlMs === undefined ? Number.NaN : this.clock() + table.ttlMs;
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAt = expiresAt;
      existing.present = true;
      this.write(table, existing);
    } else this.write(table, this.newRec(table, value, expiresAt, true));
  }

  /** @internal */
  remove(table: Table): void {
    this.write(table, undefined);
  }

  /** Writes `rec` (an entry of the current key and namespace; undefined: delete it). */
  private write(table: Table, rec: Rec | undefined): void {
    let r = rec;
    if (r === undefined) {
      r =
        this.namespace === undefined
          ? table.byKey.get(this.currentKey)
          : table.byNs.get(this.suffix);
      if (r === undefined) r = this.newRec(table, undefined, Number.NaN, false);
      else {
        r.present = false;
        r.value = undefined;
      }
    }
    if (!r.cached) this.insert(r);
    if (!r.dirty) {
      r.dirty = true;
      this.dirty.push(r);
    }
    if (this.cached > this.capacity) this.evict();
  }

  /**
   * The cache is over budget: flush the write buffer, then drop entries not read since the last
   * eviction (and forget that the others were) until half the budget is used.
   */
  private evict(): void {
    this.flush();
    const target = this.capacity >> 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const t of this.tables.values()) {
        for (const m of [t.byKey, t.byNs] as Map<unknown, Rec>[]) {
          for (const [k, rec] of m) {
            if (this.cached <= target) return;
            // Second pass: whatever is left goes, hot or not.
            if (rec.hot && pass === 0) rec.hot = false;
            else {
              m.delete(k);
              rec.cached = false;
              this.cached--;
            }
          }
        }
      }
    }
  }

  /**
   * Writes the buffer to LMDB (no fsync: checkpoints give durability), and to the log of changes
   * when incremental checkpoints track them. The entries go in groups of about `FLUSH_CHUNK`
   * nearby keys, a write transaction each (`key-range-partition.ts`): LMDB keeps a transaction's
   * dirty pages in a sorted array, so a transaction that dirties n pages costs O(n²) — with the
   * whole buffer of random keys in one, 68 % of the CPU went to inserting into that array
   * (`mdb_mid2l_insert`, perf) and a write cost 25–33 µs at 7–10 M keys. A group of nearby keys
   * dirties one slice of the tree, and every page of it once per flush.
   */
  flush(): void {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    this.dirty = [];
    const keys = dirty.map((rec) => this.entryKey(rec));
    const { items, ends } = partitionByKeyRange(dirty, keys, FLUSH_CHUNK);
    let bytes = 0;
    let written = 0;
    let from = 0;
    for (const to of ends) {
      this.writeTransaction(() => {
        const n = this.writeEntries(items, from, to);
        bytes += n.bytes;
        written += n.written;
      });
      from = to;
    }
    if (!this.fixedCapacity && written > 0) this.capacity = this.estimateCapacity(bytes / written);
  }

  /** The stored form of an entry's value (with its raw key when the entry key cannot give it). */
  private encodeEntry(
    value: unknown,
    expiresAt: number,
    raw: unknown,
    ns: string | number | undefined,
  ): Buffer {
    const withKey =
      ns !== undefined ||
      (typeof raw === 'string' ? raw.charCodeAt(0) === 0 : typeof raw === 'object');
    return this.codec.encode(value, expiresAt, withKey, raw, ns);
  }

  /** Writes `dirty[from..to)` in the current write transaction; their stored bytes and count. */
  private writeEntries(
    dirty: readonly Rec[],
    from: number,
    to: number,
  ): { bytes: number; written: number } {
    const { db, log, maxParallelism } = this;
    let bytes = 0;
    let written = 0;
    for (let i = from; i < to; i++) {
      const rec = dirty[i] as Rec;
      rec.dirty = false;
      if (!rec.present) {
        const k = this.entryKey(rec);
        db.removeSync(k);
        log?.append(k, keyGroupOf(rec.nk, maxParallelism), undefined);
        continue;
      }
      const buf = this.encodeEntry(rec.value, rec.expiresAt, rec.raw, rec.ns);
      bytes += buf.byteLength;
      written++;
      const k = this.entryKey(rec);
      db.putSync(k, buf);
      log?.append(k, keyGroupOf(rec.nk, maxParallelism), buf);
    }
    return { bytes, written };
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
      prefix: statePrefix(descriptor.name),
      byKey: new Map(),
      byNs: new Map(),
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
    for (const { key, value } of this.db.getRange({ snapshot: true }))
      add(key, value as unknown as DecodedEntry);
    if (expired.length > 0) {
      // TTL: expired entries are not saved, and are deleted now.
      this.writeTransaction(() => {
        for (const k of expired) this.db.removeSync(k);
      });
      this.clearCache();
    }
    for (const snap of this.pendingSnapshots()) builder.addSnapshot(snap);
    return builder.build();
  }

  /**
   * A snapshot whose point in time is the call: the write buffer is flushed and a read
   * transaction opened synchronously; the entries are then read in chunks between which the
   * record path runs (LMDB readers never block the writer, and never see its later writes).
   * `stored`: the values stay in their stored form (a base of incremental checkpoints; the file's
   * reader decodes them), else they are decoded (savepoints, which other backends read as they are).
   */
  async snapshotAsync(parts?: SnapshotParts, stored = false): Promise<KeyGroupSnapshot[]> {
    this.flush();
    const tables = new Map(this.tables);
    const restored = new Map(this.restored);
    const now = this.clock();
    const newBuilder = (): SnapshotBuilder => this.snapshotBuilder(stored);
    let builder = newBuilder();
    const collect = (b: SnapshotBuilder): ((key: string, v: unknown) => boolean) =>
      stored
        ? (this.storedCollector(b, now, tables, restored) as (key: string, v: unknown) => boolean)
        : (this.collector(b, now, undefined, tables, restored) as (
            key: string,
            v: unknown,
          ) => boolean);
    let add = collect(builder);
    const pending = this.pendingSnapshots();
    const it = this.db.getRange({ snapshot: true })[Symbol.iterator]();
    this.readBytes = 0;
    const partBytes = this.partBytes(parts);
    try {
      this.storedRange = stored;
      let n = it.next(); // opens the read transaction now
      for (let count = 1; n.done !== true; count++) {
        // The open's encoder decoded the value, or gave it as stored (see the constructor).
        const key = n.value.key;
        add(key, n.value.value);
        if (parts !== undefined && this.readBytes + count * key.length >= partBytes) {
          // A part is full: out it goes before more is read (state larger than the heap).
          this.storedRange = false;
          await parts.write({ full: true, groups: builder.build(), removed: [] });
          builder = newBuilder();
          add = collect(builder);
          this.readBytes = 0;
          count = 0;
          if (this.disposed) throw closedDuringSnapshot();
        } else if (count % 20_000 === 0) {
          // Whatever runs meanwhile (the record path, a state registering) reads decoded values.
          this.storedRange = false;
          await new Promise<void>((r) => setImmediate(r));
          if (this.disposed) throw closedDuringSnapshot();
        }
        this.storedRange = stored;
        n = it.next();
      }
    } finally {
      this.storedRange = false;
    }
    for (const snap of pending) this.addRestored(builder, snap, stored);
    return builder.build();
  }

  /** A builder of snapshots; `stored`: of values in their stored form, with this codec's structures. */
  private snapshotBuilder(stored: boolean): SnapshotBuilder {
    return stored
      ? new SnapshotBuilder(this.maxParallelism, () => this.codec.structures())
      : new SnapshotBuilder(this.maxParallelism);
  }

  /**
   * Adds the entries of a restored state the user code has not registered yet; in stored form
   * when the snapshot is (a key group's column holds values of one form).
   */
  private addRestored(builder: SnapshotBuilder, snap: StateSnapshot, stored: boolean): void {
    if (!stored) {
      builder.addSnapshot(snap);
      return;
    }
    builder.state(snap.name, snap.kind, snap.version);
    for (let i = 0; i < snap.keys.length; i++) {
      const raw = snap.keys[i];
      const ns = snap.namespaces?.[i];
      const expiresAt = snap.expiresAt?.[i];
      const bytes = this.encodeEntry(snap.values[i], expiresAt ?? Number.NaN, raw, ns);
      builder.addStored(normalizeKey(raw), raw, ns, bytes, expiresAt);
    }
  }

  /**
   * Stored bytes per part of a snapshot: as asked, but at most half the memory budget, since a
   * part is held decoded on the heap while it is serialized and written.
   */
  private partBytes(parts: SnapshotParts | undefined): number {
    return parts === undefined
      ? Infinity
      : Math.max(1, Math.min(parts.bytes, this.memoryBytes / 2));
  }

  /** Tracks changes from now on; called before the first record, so none are lost. */
  startTrackingChanges(): void {
    if (this.log !== undefined) return;
    this.log = new ChangeLog(this.path, this.epoch + 1);
  }

  async snapshotChanges(
    checkpointId: number,
    full: boolean,
    parts?: SnapshotParts,
  ): Promise<StateChanges> {
    const epoch = ++this.epoch;
    // The barrier: the buffer goes to LMDB and into this epoch's segment of the log, which ends.
    this.flush();
    const log = this.log;
    // Changes not tracked (nobody asked to before): a base it is.
    if (log === undefined)
      return { full: true, groups: await this.snapshotAsync(parts, true), removed: [] };
    log.seal(epoch);
    // A base keeps the changes before it too: if it never completes, the next checkpoint builds
    // on the last confirmed one and needs them (the coordinator may not ask for a base again).
    this.unconfirmed.push({ id: checkpointId, epoch });
    if (full) return { full: true, groups: await this.snapshotAsync(parts, true), removed: [] };
    // Everything not confirmed yet: a checkpoint that failed left its changes unsaved.
    const reader = log.reader(new Set(this.unconfirmed.map((u) => u.epoch)));
    try {
      return await this.changesOf(reader, parts);
    } finally {
      reader.release();
    }
  }

  /**
   * The newest record of each entry in the log's segments, as the changes of a snapshot. The log
   * reads newest first, so the first record of an entry is the one to take; the entry keys seen
   * are held on the heap, `maxTrackedChanges` at most: with more records than that, each pass
   * over the log takes the entries of one share of the key hashes.
   */
  private async changesOf(reader: ChangeLogReader, parts?: SnapshotParts): Promise<StateChanges> {
    const tables = new Map(this.tables);
    const restored = new Map(this.restored);
    const now = this.clock();
    let builder = this.snapshotBuilder(true);
    let add = this.storedCollector(builder, now, tables, restored);
    let removed = new Map<number, string[]>();
    let bytes = 0;
    const partBytes = this.partBytes(parts);
    const passes = Math.max(1, Math.ceil(reader.records / this.maxTrackedChanges));
    for (let pass = 0; pass < passes; pass++) {
      const seen = new Set<string>();
      let count = 0;
      for await (const c of reader.changes()) {
        while (c.next()) {
          const { entryKey, value } = c;
          if (++count % 20_000 === 0) {
            await new Promise<void>((r) => setImmediate(r));
            if (this.disposed) throw closedDuringSnapshot();
          }
          if (seen.has(entryKey) || (passes > 1 && hashOf(entryKey) % passes !== pass)) continue;
          seen.add(entryKey);
          bytes += entryKey.length + (value?.length ?? 0);
          if (value === undefined || !add(entryKey, value)) {
            let list = removed.get(c.keyGroup);
            if (list === undefined) removed.set(c.keyGroup, (list = []));
            list.push(entryKey);
          }
          if (parts !== undefined && bytes >= partBytes) {
            // Parts of one checkpoint's changes are disjoint: their order does not matter.
            await parts.write({ full: false, groups: builder.build(), removed: removals(removed) });
            builder = this.snapshotBuilder(true);
            add = this.storedCollector(builder, now, tables, restored);
            removed = new Map();
            bytes = 0;
            if (this.disposed) throw closedDuringSnapshot();
          }
        }
      }
    }
    return { full: false, groups: builder.build(), removed: removals(removed) };
  }

  confirmCheckpoint(checkpointId: number): void {
    const log = this.log;
    if (log === undefined) return;
    const u = this.unconfirmed;
    let n = 0;
    while (n < u.length && (u[n] as { id: number }).id <= checkpointId) n++;
    if (n === 0) return;
    const confirmedEpoch = (u[n - 1] as { epoch: number }).epoch;
    u.splice(0, n);
    log.drop(confirmedEpoch);
  }

  stats(): StateBackendStats {
    let diskBytes = 0;
    try {
      diskBytes = statSync(join(this.path, 'data.mdb')).size;
    } catch {
      // Not created yet, or already disposed.
    }
    return {
      cacheHits: this.hits,
      cacheMisses: this.misses,
      cachedEntries: this.cached,
      diskBytes,
    };
  }

  /**
   * Adds decoded stored entries to `builder`; an expired one is skipped (listed in `expired`), and the
   * function returns false for it.
   */
  private collector(
    builder: SnapshotBuilder,
    now: number,
    expired: string[] | undefined,
    tables: ReadonlyMap<string, Table> = this.tables,
    restored: ReadonlyMap<string, StateInfoOfRestore> = this.restored,
  ): (key: string, d: DecodedEntry) => boolean {
    const enter = stateEntry(builder, tables, restored);
    return (key, d) => {
      if (d.expiresAt <= now) {
        expired?.push(key);
        return false;
      }
      const prefixLength = enter(key);
      const raw = d.withKey ? d.raw : primitiveKeyOf(key, prefixLength);
      const v = d.value;
      builder.add(
        normalizeKey(raw),
        raw,
        d.ns,
        v instanceof Map ? [...(v as Map<unknown, unknown>)] : v,
        Number.isNaN(d.expiresAt) ? undefined : d.expiresAt,
      );
      return true;
    };
  }

  /**
   * As {@link LmdbKeyedStateBackend.collector}, for values in their stored form, which go into
   * the snapshot as they are: only entries that store their raw key are decoded (for the key).
   */
  private storedCollector(
    builder: SnapshotBuilder,
    now: number,
    tables: ReadonlyMap<string, Table>,
    restored: ReadonlyMap<string, StateInfoOfRestore>,
  ): (key: string, stored: Uint8Array) => boolean {
    const enter = stateEntry(builder, tables, restored);
    const { codec, decoded } = this;
    return (key, stored) => {
      const expiresAt = codec.expiresAtOf(stored);
      if (expiresAt <= now) return false;
      const prefixLength = enter(key);
      let raw: unknown;
      let ns: string | number | undefined;
      if (StateValueCodec.storesKey(stored)) {
        const d = codec.decode(stored, decoded);
        raw = d.raw;
        ns = d.ns;
      } else raw = primitiveKeyOf(key, prefixLength);
      builder.addStored(
        normalizeKey(raw),
        raw,
        ns,
        stored,
        Number.isNaN(expiresAt) ? undefined : expiresAt,
      );
      return true;
    };
  }

  /**
   * Registers a state; restored entries waiting for it are written straight into LMDB
   * ({@link LmdbKeyedStateBackend.loadIntoLmdb}) rather than through the cache one by one.
   */
  protected override table(descriptor: StateDescriptor): Table {
    const saved = this.tables.has(descriptor.name) ? undefined : this.restored.get(descriptor.name);
    if (saved !== undefined) {
      // Entries restored by restoreChanges: already in LMDB, as saved.
      const info = { name: descriptor.name, ...saved, keys: [], values: [] };
      checkCompatible(this.operatorName, descriptor, info);
      this.restored.delete(descriptor.name);
      const table = super.table(descriptor);
      if (saved.version < (descriptor.options.version ?? 1)) this.migrateRestored(table, saved);
      return table;
    }
    const pending = this.tables.has(descriptor.name)
      ? undefined
      : this.pendingRestore.get(descriptor.name);
    if (pending === undefined) return super.table(descriptor);
    for (const snap of pending) checkCompatible(this.operatorName, descriptor, snap);
    this.pendingRestore.delete(descriptor.name);
    const table = super.table(descriptor);
    this.loadIntoLmdb(table, pending);
    return table;
  }

  protected load(table: Table, snap: StateSnapshot): void {
    const { descriptor } = table;
    const now = this.clock();
    const freshExpiry = table.ttlMs === undefined ? Number.NaN : now + table.ttlMs;
    const savedKey = this.currentRawKey;
    const savedNormalized = this.currentKey;
    const savedNs = this.namespace;
    // Restored entries are in the checkpoint restored from: they are no change to save again.
    const log = this.log;
    this.flush();
    this.log = undefined;
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
      this.write(table, this.newRec(table, value, expiresAt, true));
    }
    this.flush();
    this.log = log;
    // Normalized already (and possibly no key yet, which setCurrentKey would refuse).
    this.setCurrentKeyNormalized(savedNormalized, savedKey);
    this.setCurrentNamespace(savedNs);
  }

  /**
   * Restored entries of a state being registered (a new table: nothing cached, nothing in LMDB)
   * go straight into LMDB, in write transactions of up to `restoreBatchEntries` entries across the
   * snapshots' key groups. Through the cache, each entry cost a cache record, a write-buffer pass
   * and its share of evictions; and one transaction per key group (7,800 entries of 1 M keys in
   * 128 groups) rewrote most of the B-tree's pages 128 times.
   */
  private loadIntoLmdb(table: Table, snaps: readonly StateSnapshot[]): void {
    const { descriptor, prefix, ttlMs } = table;
    const { db, codec } = this;
    const now = this.clock();
    const freshExpiry = ttlMs === undefined ? Number.NaN : now + ttlMs;
    let bytes = 0;
    let written = 0;
    let s = 0;
    let i = 0;
    const batch = this.restoreBatch;
    while (s < snaps.length) {
      this.writeTransaction(() => {
        let inTxn = 0;
        for (; s < snaps.length && inTxn < batch; s++, i = 0) {
          const snap = snaps[s] as StateSnapshot;
          const { keys, namespaces, expiresAt: saved } = snap;
          for (; i < keys.length && inTxn < batch; i++, inTxn++) {
            // A TTL keeps running across a restore: saved expiry times are kept, expired ones dropped.
            const expiresAt = ttlMs === undefined ? Number.NaN : (saved?.[i] ?? freshExpiry);
            if (expiresAt <= now) continue;
            const raw = keys[i];
            const ns = namespaces?.[i];
            const k = encodeKeyPart(normalizeKey(raw));
            const entryKey =
              ns === undefined ? prefix + k : `${prefix}${k}\u0001${encodeKeyPart(ns)}`;
            // The raw key is stored when the entry key cannot give it back (as flush decides).
            const withKey =
              ns !== undefined ||
              (typeof raw === 'string' ? raw.charCodeAt(0) === 0 : typeof raw === 'object');
            const value = this.restoredValue(descriptor, snap, i);
            const buf = codec.encode(value, expiresAt, withKey, raw, ns);
            bytes += buf.byteLength;
            written++;
            db.putSync(entryKey, buf);
          }
          // The chunk is full in the middle of a snapshot: the next transaction goes on from i.
          if (i < keys.length) break;
        }
      });
    }
    if (!this.fixedCapacity && written > 0) this.capacity = this.estimateCapacity(bytes / written);
  }

  /**
   * Rewrites the entries of a state restored with an older schema version through its `migrate`
   * function, in chunks (the state may be far larger than the heap), as
   * {@link AbstractKeyedStateBackend.restoredValue} migrates restored values in memory.
   */
  private migrateRestored(table: Table, saved: StateInfoOfRestore): void {
    const { descriptor, prefix } = table;
    const migrate = descriptor.options.migrate as (value: unknown, fromVersion: number) => unknown;
    const isMap = descriptor.kind === 'map';
    const end = stateRangeEnd(descriptor.name);
    let start = prefix;
    let after: string | undefined;
    for (;;) {
      const chunk: [string, Buffer][] = [];
      for (const { key, value } of this.db.getRange({ start, end })) {
        if (key === after) continue;
        const d = value as unknown as DecodedEntry;
        // A map state's migrate sees the entry list a snapshot holds, as on any restore.
        const old =
          isMap && d.value instanceof Map ? [...(d.value as Map<unknown, unknown>)] : d.value;
        const v = migrate(old, saved.version);
        const stored = isMap && Array.isArray(v) ? new Map(v as [unknown, unknown][]) : v;
        chunk.push([key, this.codec.encode(stored, d.expiresAt, d.withKey, d.raw, d.ns)]);
        if (chunk.length >= MIGRATE_CHUNK) break;
      }
      if (chunk.length === 0) return;
      this.writeTransaction(() => {
        for (const [k, b] of chunk) this.db.putSync(k, b);
      });
      after = start = (chunk[chunk.length - 1] as [string, Buffer])[0];
    }
  }

  restoreChanges(changes: StateChanges, range: KeyGroupRange): void {
    this.flush();
    const { db, codec } = this;
    const now = this.clock();
    let bytes = 0;
    let written = 0;
    this.writeTransaction(() => {
      for (const g of changes.groups) {
        if (g.keyGroup < range.start || g.keyGroup > range.end) continue;
        for (const snap of g.states) {
          const table = this.tables.get(snap.name);
          if (table !== undefined) checkCompatible(this.operatorName, table.descriptor, snap);
          else this.noteRestored(snap);
          const prefix = statePrefix(snap.name);
          const { keys, namespaces, expiresAt: savedExpiry } = snap;
          const ttlMs = table?.ttlMs;
          for (let i = 0; i < keys.length; i++) {
            const raw = keys[i];
            const ns = namespaces?.[i];
            const k = encodeKeyPart(normalizeKey(raw));
            const entryKey =
              ns === undefined ? prefix + k : `${prefix}${k}\u0001${encodeKeyPart(ns)}`;
            // A TTL keeps running across a restore: saved expiry times are kept.
            const saved = savedExpiry?.[i];
            const expiresAt =
              table === undefined
                ? (saved ?? Number.NaN)
                : ttlMs === undefined
                  ? Number.NaN
                  : (saved ?? now + ttlMs);
            if (expiresAt <= now) {
              // Expired: gone, including what an older file of the chain held for it.
              db.removeSync(entryKey);
              continue;
            }
            const value =
              table !== undefined
                ? this.restoredValue(table.descriptor, snap, i)
                : snap.kind === 'map' && Array.isArray(snap.values[i])
                  ? new Map(snap.values[i] as [unknown, unknown][])
                  : snap.values[i];
            const withKey =
              ns !== undefined ||
              (typeof raw === 'string' ? raw.charCodeAt(0) === 0 : typeof raw === 'object');
            const buf = codec.encode(value, expiresAt, withKey, raw, ns);
            bytes += buf.byteLength;
            written++;
            db.putSync(entryKey, buf);
          }
        }
      }
      for (const r of changes.removed) {
        if (r.keyGroup < range.start || r.keyGroup > range.end) continue;
        for (const k of r.entryKeys) db.removeSync(k);
      }
    });
    // Whatever was cached may be older than what was just written.
    this.clearCache();
    if (!this.fixedCapacity && written > 0) this.capacity = this.estimateCapacity(bytes / written);
  }

  /**
   * See {@link KeyedStateBackend.takeUnclaimedState}. Entries a chain restored straight into LMDB
   * are read out of it and removed, the removal logged, so an incremental checkpoint built on the
   * restored chain does not bring them back.
   */
  override takeUnclaimedState(name: string): StateSnapshot[] {
    const taken = super.takeUnclaimedState(name);
    if (this.tables.has(name) || !this.restored.has(name)) return taken;
    this.flush();
    const builder = new SnapshotBuilder(this.maxParallelism);
    const add = this.collector(builder, this.clock(), undefined);
    const prefix = statePrefix(name);
    const removed: [string, number][] = [];
    for (const { key, value } of this.db.getRange({ start: prefix, end: stateRangeEnd(name) })) {
      const d = value as unknown as DecodedEntry;
      const raw = d.withKey ? d.raw : primitiveKeyOf(key, prefix.length);
      removed.push([key, keyGroupOf(normalizeKey(raw), this.maxParallelism)]);
      add(key, d);
    }
    this.writeTransaction(() => {
      for (const [k, group] of removed) {
        this.db.removeSync(k);
        this.log?.append(k, group, undefined);
      }
    });
    this.restored.delete(name);
    return [...taken, ...builder.build().flatMap((g) => g.states)];
  }

  /** Remembers the kind and version of a restored state's entries until it is registered. */
  private noteRestored(snap: StateSnapshot): void {
    const known = this.restored.get(snap.name);
    if (known === undefined)
      this.restored.set(snap.name, { kind: snap.kind, version: snap.version });
    else if (known.kind !== snap.kind || known.version !== snap.version) {
      throw new EddyError(
        `state "${snap.name}" was restored as ${known.kind} state version ${known.version} and as ${snap.kind} state version ${snap.version}`,
        {
          code: 'INTERNAL',
          domain: 'internal',
          operator: { name: this.operatorName },
          hint: 'a chain that holds a state in several versions is restored by merging it in memory',
        },
      );
    }
  }

  /** Drops every cached entry (flush first: dirty ones are lost). */
  private clearCache(): void {
    for (const t of this.tables.values()) {
      for (const r of t.byKey.values()) r.cached = false;
      for (const r of t.byNs.values()) r.cached = false;
      t.byKey.clear();
      t.byNs.clear();
    }
    this.cached = 0;
  }

  size(): number {
    this.flush();
    return this.db.getCount();
  }

  /** Closes LMDB and deletes the working copy. */
  dispose(): void {
    this.disposed = true;
    this.dirty = [];
    this.clearCache();
    this.log?.close();
    this.db.close().catch(() => {});
    rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * Follows the states of a snapshot's entries (in key order, so one state after another): for an
 * entry key, starts the builder's columns of its state when it changes, and returns the length
 * of the state's prefix.
 */
function stateEntry(
  builder: SnapshotBuilder,
  tables: ReadonlyMap<string, Table>,
  restored: ReadonlyMap<string, StateInfoOfRestore>,
): (key: string) => number {
  let state = '';
  let prefixLength = 0;
  return (key) => {
    if (!key.startsWith(state) || prefixLength === 0) {
      const name = key.slice(0, key.indexOf('\u0000'));
      state = statePrefix(name);
      prefixLength = state.length;
      const desc = tables.get(name)?.descriptor;
      // A restored state not registered yet: its entries are still as they were saved.
      const saved = desc === undefined ? restored.get(name) : undefined;
      builder.state(
        name,
        desc?.kind ?? saved?.kind ?? 'value',
        desc?.options.version ?? saved?.version ?? 1,
      );
    }
    return prefixLength;
  };
}

/** FNV-1a of a string's UTF-16 units: which pass of a large snapshot of changes takes an entry. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function closedDuringSnapshot(): Error {
  return new Error('the state backend was closed during a snapshot');
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
