/**
 * A columnar encoding for record batches that cross threads, used when a batch's records are
 * uniform: plain objects with the same keys in the same order whose fields are each always a
 * number, always a string or always a boolean (the shape of most stream records), or bare
 * numbers or strings. Numbers travel in a transferred `Float64Array` per field, booleans in a
 * `Uint8Array`, strings in one array per field; the receiver rebuilds the objects with a
 * generated factory per key list, so they get one hidden class.
 *
 * Why: `postMessage` clones a batch of objects field by field, key names included, and the
 * receiver builds each object through dictionary-like property additions; that is most of what a
 * record costs when it crosses threads (`bench/cross-thread-serialization.ts`). Anything else
 * (nested objects, arrays, Dates, Maps, nulls, mixed types, class instances) returns `undefined`
 * from {@link encodeColumns}, and the caller clones the batch as before — decoding gives what the
 * structured clone would have given, for every batch it accepts.
 *
 * Strings stay one string per record (an array that is cloned): joining them into one string and
 * slicing it back would be faster, but every slice would keep the whole batch's string alive for
 * as long as the record's string lives (in keyed state, say).
 *
 * @module
 */

/** One column: a field's values for every record of the batch. */
export type Column = Float64Array | Uint8Array | string[];

/** A batch in columns (plain data plus transferable buffers). */
export interface ColumnarBatch {
  /** Field names in order; `null`: the records are the values themselves (one column). */
  readonly keys: readonly string[] | null;
  readonly columns: readonly Column[];
}

/** Key lists a thread encodes in columns; records with others are cloned. */
const MAX_SHAPES = 256;

type Factory = (columns: readonly Column[], i: number) => unknown;

/** Key lists this thread has encoded. */
const shapes = new Set<string>();
/** Decoding factories by column kinds and key list (bounded by what senders encode). */
const factories = new Map<string, Factory>();

/** @internal Forgets the key lists seen (tests that generate thousands of shapes). */
export function resetColumnarShapes(): void {
  shapes.clear();
  factories.clear();
}

/**
 * The columns of `values[0..n)`, or `undefined` when the records are not uniform plain data.
 * On success `transfer` receives the buffers to transfer with the message (on failure, nothing).
 */
export function encodeColumns(
  values: readonly unknown[],
  n: number,
  transfer: ArrayBuffer[],
): ColumnarBatch | undefined {
  if (n === 0) return undefined;
  const first = values[0];
  const kind = typeof first;
  if (kind === 'number' || kind === 'string') {
    const column = encodeField(values, n, undefined, kind);
    if (column === undefined) return undefined;
    if (!Array.isArray(column)) transfer.push(column.buffer as ArrayBuffer);
    return { keys: null, columns: [column] };
  }
  if (kind !== 'object' || first === null) return undefined;
  const keys = plainKeys(first as object);
  if (keys === undefined || keys.length === 0) return undefined;
  // JSON keeps key lists apart whatever characters the keys contain.
  const signature = JSON.stringify(keys);
  if (!shapes.has(signature)) {
    // A bounded set of key lists per thread: records whose keys keep changing are cloned.
    if (shapes.size >= MAX_SHAPES || keys.includes('__proto__')) return undefined;
    shapes.add(signature);
  }
  // The first record's fields decide each column's kind: give up before scanning the batch when
  // one of them cannot be a column.
  const kinds: string[] = [];
  for (const key of keys) {
    const k = typeof (first as Record<string, unknown>)[key];
    if (k !== 'number' && k !== 'string' && k !== 'boolean') return undefined;
    kinds.push(k);
  }
  // Every record must have exactly these keys, in this order, as own data of a plain object.
  for (let i = 1; i < n; i++) if (!sameShape(values[i], keys)) return undefined;
  const columns: Column[] = [];
  for (let j = 0; j < keys.length; j++) {
    const column = encodeField(values, n, keys[j], kinds[j] as string);
    if (column === undefined) return undefined;
    columns.push(column);
  }
  for (const c of columns) if (!Array.isArray(c)) transfer.push(c.buffer as ArrayBuffer);
  return { keys, columns };
}

/** The records of a {@link ColumnarBatch}, into `out[0..n)`. */
export function decodeColumns(batch: ColumnarBatch, n: number, out: unknown[]): void {
  const { keys, columns } = batch;
  if (keys === null) {
    const column = columns[0] as Column;
    if (column instanceof Uint8Array) for (let i = 0; i < n; i++) out[i] = column[i] === 1;
    else for (let i = 0; i < n; i++) out[i] = column[i];
    return;
  }
  const kinds = kindsOf(columns);
  const signature = `${kinds}${JSON.stringify(keys)}`;
  let make = factories.get(signature);
  if (make === undefined) {
    make = compileFactory(keys, kinds);
    factories.set(signature, make);
  }
  for (let i = 0; i < n; i++) out[i] = make(columns, i);
}

/** Own enumerable keys of a plain object (prototype `Object.prototype` or null), else undefined. */
function plainKeys(v: object): string[] | undefined {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys: string[] = [];
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    keys.push(k);
  }
  return keys;
}

function sameShape(v: unknown, keys: readonly string[]): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  let j = 0;
  for (const k in v) {
    // An inherited enumerable key (a polluted prototype) fails this too: the clone skips those.
    if (k !== keys[j]) return false;
    j++;
  }
  return j === keys.length;
}

function encodeField(
  values: readonly unknown[],
  n: number,
  key: string | undefined,
  kind: string,
): Column | undefined {
  // The records themselves (key undefined) or one field of each: two loops each, so every loop
  // reads one way.
  if (kind === 'number') {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = key === undefined ? values[i] : (values[i] as Record<string, unknown>)[key];
      if (typeof x !== 'number') return undefined;
      column[i] = x;
    }
    return column;
  }
  if (kind === 'string') {
    const column = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const x = key === undefined ? values[i] : (values[i] as Record<string, unknown>)[key];
      if (typeof x !== 'string') return undefined;
      column[i] = x;
    }
    return column;
  }
  if (kind === 'boolean' && key !== undefined) {
    const column = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = (values[i] as Record<string, unknown>)[key];
      if (typeof x !== 'boolean') return undefined;
      column[i] = x ? 1 : 0;
    }
    return column;
  }
  return undefined;
}

/** The kind of each column: `b` booleans, `v` anything stored as it is (numbers, strings). */
function kindsOf(columns: readonly Column[]): string {
  let kinds = '';
  for (const c of columns) kinds += c instanceof Uint8Array ? 'b' : 'v';
  return kinds;
}

/**
 * `(columns, i) => ({ k0: columns[0][i], … })` for a key list and column kinds. Generated so every
 * record is one object literal (one hidden class, no property-by-property additions); the keys
 * enter the source only as JSON string literals, and `__proto__` is never compiled (it would set
 * the prototype).
 */
function compileFactory(keys: readonly string[], kinds: string): Factory {
  const fields = keys
    .map((k, j) => `${JSON.stringify(k)}: columns[${j}][i]${kinds[j] === 'b' ? ' === 1' : ''}`)
    .join(',\n    ');
  return new Function('columns', 'i', `return {\n    ${fields}\n  };`) as Factory;
}
