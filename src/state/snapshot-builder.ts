/**
 * Builds a {@link KeyGroupSnapshot} list from a backend's entries in one pass: per state, one set
 * of columns (keys, values, namespaces) per key group, filled by array index — no object per
 * entry, which keeps a 1M-entry snapshot fast and light on the garbage collector.
 *
 * @module
 */
import { keyGroupOf, normalizeKey } from './key-groups.ts';
import type { KeyGroupSnapshot, StateSnapshot, StoredValues } from './keyed-state-backend.ts';
import { EddyError } from '../errors/eddy-error.ts';
import type { StateKind } from '../core/state-descriptor.ts';

interface Columns {
  readonly keys: unknown[];
  readonly values: unknown[];
  namespaces: (string | number | undefined)[] | undefined;
  expiresAt: number[] | undefined;
  /** Values in stored form ({@link SnapshotBuilder.addStored}), one after another. */
  stored: Buffer | undefined;
  storedBytes: number;
  ends: number[] | undefined;
}

interface StateColumns {
  readonly name: string;
  readonly kind: StateKind;
  readonly version: number;
  readonly groups: (Columns | undefined)[];
}

export class SnapshotBuilder {
  private readonly states = new Map<string, StateColumns>();
  private current: StateColumns | undefined;

  /**
   * `structures`: the record structures of the codec whose stored values
   * {@link SnapshotBuilder.addStored} takes (read when the snapshot is built).
   */
  constructor(
    private readonly maxParallelism: number,
    private readonly structures?: () => readonly (readonly string[])[],
  ) {}

  /** Starts (or continues) the columns of state `name`. */
  state(name: string, kind: StateKind, version: number): void {
    let s = this.states.get(name);
    if (s === undefined) {
      s = { name, kind, version, groups: new Array<Columns | undefined>(this.maxParallelism) };
      this.states.set(name, s);
    }
    this.current = s;
  }

  /** Adds an entry of the current state; `normalizedKey` decides the key group. */
  add(
    normalizedKey: unknown,
    rawKey: unknown,
    namespace: string | number | undefined,
    value: unknown,
    expiresAt?: number,
  ): void {
    const c = this.columns(normalizedKey);
    if (c.ends !== undefined) throw mixed();
    c.values.push(value);
    this.addKey(c, rawKey, namespace, expiresAt);
  }

  /**
   * Adds an entry of the current state whose value is in the LMDB backend's stored form
   * (`state-value-codec.ts`; copied): the snapshot keeps it so, and reading the checkpoint file
   * decodes it. A state's key group holds values of one form.
   */
  addStored(
    normalizedKey: unknown,
    rawKey: unknown,
    namespace: string | number | undefined,
    stored: Uint8Array,
    expiresAt?: number,
  ): void {
    const c = this.columns(normalizedKey);
    if (c.values.length > 0) throw mixed();
    const ends = (c.ends ??= []);
    const at = c.storedBytes;
    let buf = c.stored;
    if (buf === undefined || at + stored.byteLength > buf.byteLength) {
      const bigger = Buffer.allocUnsafe(Math.max(4096, 2 * (at + stored.byteLength)));
      buf?.copy(bigger, 0, 0, at);
      c.stored = buf = bigger;
    }
    buf.set(stored, at);
    c.storedBytes = at + stored.byteLength;
    ends.push(c.storedBytes);
    this.addKey(c, rawKey, namespace, expiresAt);
  }

  /** The columns of the current state for `normalizedKey`'s key group. */
  private columns(normalizedKey: unknown): Columns {
    const s = this.current as StateColumns;
    const kg = keyGroupOf(normalizedKey, this.maxParallelism);
    let c = s.groups[kg];
    if (c === undefined)
      s.groups[kg] = c = {
        keys: [],
        values: [],
        namespaces: undefined,
        expiresAt: undefined,
        stored: undefined,
        storedBytes: 0,
        ends: undefined,
      };
    return c;
  }

  private addKey(
    c: Columns,
    rawKey: unknown,
    namespace: string | number | undefined,
    expiresAt: number | undefined,
  ): void {
    const i = c.keys.length;
    c.keys.push(rawKey);
    if (namespace !== undefined) {
      c.namespaces ??= new Array<string | number | undefined>(i).fill(undefined);
      c.namespaces[i] = namespace;
    } else if (c.namespaces !== undefined) c.namespaces[i] = undefined;
    if (expiresAt !== undefined) {
      c.expiresAt ??= new Array<number>(i).fill(Number.POSITIVE_INFINITY);
      c.expiresAt[i] = expiresAt;
    } else if (c.expiresAt !== undefined) c.expiresAt[i] = Number.POSITIVE_INFINITY;
  }

  /** Adds every entry of a snapshot (restored state not yet registered by the user code). */
  addSnapshot(snap: StateSnapshot): void {
    this.state(snap.name, snap.kind, snap.version);
    for (let i = 0; i < snap.keys.length; i++) {
      const key = snap.keys[i];
      this.add(normalizeKey(key), key, snap.namespaces?.[i], snap.values[i], snap.expiresAt?.[i]);
    }
  }

  /** The snapshot: non-empty key groups in ascending order. */
  build(): KeyGroupSnapshot[] {
    const out: KeyGroupSnapshot[] = [];
    let structures: readonly (readonly string[])[] | undefined;
    for (let kg = 0; kg < this.maxParallelism; kg++) {
      const states: StateSnapshot[] = [];
      for (const s of this.states.values()) {
        const c = s.groups[kg];
        if (c === undefined) continue;
        let stored: StoredValues | undefined;
        if (c.ends !== undefined) {
          structures ??= this.structures?.() ?? [];
          stored = {
            structures,
            bytes: (c.stored as Buffer).subarray(0, c.storedBytes),
            ends: c.ends,
          };
        }
        states.push({
          name: s.name,
          kind: s.kind,
          version: s.version,
          keys: c.keys,
          values: c.values,
          ...(c.namespaces !== undefined ? { namespaces: c.namespaces } : {}),
          ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
          ...(stored !== undefined ? { stored } : {}),
        });
      }
      if (states.length > 0) out.push({ keyGroup: kg, states });
    }
    return out;
  }
}

function mixed(): EddyError {
  return new EddyError('a snapshot mixed stored and decoded values in one column', {
    code: 'INTERNAL',
    domain: 'internal',
  });
}
