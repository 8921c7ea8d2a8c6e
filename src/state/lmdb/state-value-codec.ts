/**
 * The compact binary form of an LMDB state entry's value. `v8.serialize` cost ~10× more than
 * msgpack with records per small value (bench/README.md, issue 19), and it was the largest item
 * of the LMDB backend's profile; so plain data (numbers, strings, booleans, null, arrays, plain
 * objects, Maps of those) is packed by msgpackr with record structures, a bare number as 8 bytes,
 * and anything else (Dates, typed arrays, bigints, class instances, -0, lone surrogates) falls
 * back to `v8.serialize`, which round-trips it exactly as the heap backend's checkpoints do.
 *
 * The record structures live in this codec: the LMDB files are a working copy that no other
 * process or run reads. An incremental checkpoint that copies stored values as they are writes the
 * structures beside them (`structures()`), and reading the file decodes with those.
 *
 * Layout: one flag byte (`EXPIRY`, `WITH_KEY`, codec in bits 2–3), the expiry time as a float64
 * when `EXPIRY`, then the payload: the value, or `[rawKey, namespace, value]` when `WITH_KEY` (the
 * raw key and namespace cannot be read back from the entry key).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { deserialize, serialize } from 'node:v8';
import type { Packr as PackrType } from 'msgpackr';

const EXPIRY = 1;
const WITH_KEY = 2;
const CODEC_SHIFT = 2;
const MSGPACK = 0;
const V8 = 1;
const FLOAT64 = 2;

/** Plain data nested deeper than this takes the `v8.serialize` path. */
const MAX_DEPTH = 12;
const SURROGATE = /[\uD800-\uDFFF]/;

let packrClass: typeof PackrType | undefined;
function newPackr(structures: string[][]): PackrType {
  // Loaded on first use, like lmdb itself (a native add-on speeds it up when present).
  packrClass ??= (createRequire(import.meta.url)('msgpackr') as { Packr: typeof PackrType }).Packr;
  return new packrClass({ structures, mapsAsObjects: false, useRecords: true });
}

/** Whether msgpack round-trips `v` exactly (see the module comment). */
function isPlain(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'number':
      return v !== 0 || 1 / v > 0;
    case 'string':
      return !SURROGATE.test(v);
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          if (!(i in v) || v[i] === undefined || !isPlain(v[i], depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto === Object.prototype) {
        for (const k in v) {
          if (!SURROGATE.test(k)) {
            const x = (v as Record<string, unknown>)[k];
            if (x !== undefined && isPlain(x, depth + 1)) continue;
          }
          return false;
        }
        return true;
      }
      if (proto === Map.prototype) {
        for (const [k, x] of v as Map<unknown, unknown>) {
          if (k === undefined || x === undefined) return false;
          if (!isPlain(k, depth + 1) || !isPlain(x, depth + 1)) return false;
        }
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

/** A decoded entry: value, expiry (NaN: none) and, when stored, raw key and namespace. */
export interface DecodedEntry {
  value: unknown;
  expiresAt: number;
  /** Whether `raw` and `ns` were stored (else they follow from the entry key). */
  withKey: boolean;
  raw: unknown;
  ns: string | number | undefined;
}

/** Encodes and decodes entry values of one LMDB backend (see the module comment). */
export class StateValueCodec {
  /** msgpackr's shared record structures: it appends to them (32 at most), never changes one. */
  private readonly shared: string[][];
  private readonly packr: PackrType;

  /**
   * `structures`: those of the codec that encoded the values to decode (`structures()`), when
   * they come from a checkpoint file; a new codec starts without.
   */
  constructor(structures?: readonly (readonly string[])[]) {
    this.shared = structures === undefined ? [] : structures.map((s) => [...s]);
    this.packr = newPackr(this.shared);
  }

  /**
   * A copy of the record structures the values encoded so far refer to: with them, a codec in
   * another process decodes those values.
   */
  structures(): string[][] {
    return this.shared.map((s) => [...s]);
  }

  /** The expiry time stored in `buf` (NaN: none), without decoding the value. */
  expiresAtOf(buf: Uint8Array): number {
    return ((buf[0] as number) & EXPIRY) !== 0 ? this.readDouble(buf, 1) : Number.NaN;
  }

  /** Whether `buf` stores the raw key and namespace (else they follow from the entry key). */
  static storesKey(buf: Uint8Array): boolean {
    return ((buf[0] as number) & WITH_KEY) !== 0;
  }
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);

  /**
   * The stored form of `value` (with `expiresAt` unless NaN); `raw` and `ns` are stored when
   * `withKey` is set.
   */
  encode(value: unknown, expiresAt: number, withKey: boolean, raw: unknown, ns: unknown): Buffer {
    const payload: unknown = withKey ? [raw, ns ?? null, value] : value;
    let codec: number;
    let body: Uint8Array | undefined;
    if (!withKey && typeof value === 'number') codec = FLOAT64;
    else if (withKey ? isPlain(raw, 0) && isPlain(value, 0) : isPlain(value, 0)) {
      codec = MSGPACK;
      body = this.packr.pack(payload);
    } else {
      codec = V8;
      body = serialize(payload);
    }
    const hasExpiry = !Number.isNaN(expiresAt);
    const head = 1 + (hasExpiry ? 8 : 0);
    const out = Buffer.allocUnsafe(head + (body === undefined ? 8 : body.byteLength));
    out[0] = (hasExpiry ? EXPIRY : 0) | (withKey ? WITH_KEY : 0) | (codec << CODEC_SHIFT);
    if (hasExpiry) out.writeDoubleLE(expiresAt, 1);
    if (body === undefined) out.writeDoubleLE(value as number, head);
    else out.set(body, head);
    return out;
  }

  /**
   * Reads what {@link StateValueCodec.encode} wrote into `into`. `end` (default `buf.length`)
   * lets a caller pass LMDB's shared read buffer as it is: a snapshot decodes a million entries,
   * and a copy or view of each was most of its time.
   */
  decode(buf: Uint8Array, into: DecodedEntry, end: number = buf.length): DecodedEntry {
    const flags = buf[0] as number;
    let at = 1;
    if ((flags & EXPIRY) !== 0) {
      into.expiresAt = this.readDouble(buf, 1);
      at = 9;
    } else into.expiresAt = Number.NaN;
    const codec = flags >> CODEC_SHIFT;
    let payload: unknown;
    if (codec === FLOAT64) payload = this.readDouble(buf, at);
    else if (codec === MSGPACK) payload = this.packr.unpack(buf.subarray(at, end));
    else payload = deserialize(buf.subarray(at, end));
    into.withKey = (flags & WITH_KEY) !== 0;
    if (into.withKey) {
      const [raw, ns, value] = payload as [unknown, string | number | null, unknown];
      into.raw = raw;
      into.ns = ns ?? undefined;
      into.value = value;
    } else {
      into.raw = undefined;
      into.ns = undefined;
      into.value = payload;
    }
    return into;
  }

  /** The little-endian float64 at `at` (byte by byte: no view object per value). */
  private readDouble(buf: Uint8Array, at: number): number {
    const b = this.f64Bytes;
    b[0] = buf[at] as number;
    b[1] = buf[at + 1] as number;
    b[2] = buf[at + 2] as number;
    b[3] = buf[at + 3] as number;
    b[4] = buf[at + 4] as number;
    b[5] = buf[at + 5] as number;
    b[6] = buf[at + 6] as number;
    b[7] = buf[at + 7] as number;
    return this.f64[0] as number;
  }
}
