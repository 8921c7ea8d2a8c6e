/**
 * A columnar encoding for record batches that cross threads, used when a batch's records are
 * uniform: plain objects with the same keys in the same order whose fields are each always a
 * number, always a string, always a boolean or always a plain object of one shape itself (the
 * shape of most stream records, and of a window join's tagged records), or bare numbers or
 * strings. Numbers travel in a transferred `Float64Array` per field, booleans in a `Uint8Array`,
 * strings in one array per field, object fields as columns of their own; the receiver rebuilds
 * the objects with a generated factory per structure, so they get one hidden class.
 *
 * Why: `postMessage` clones a batch of objects field by field, key names included, and the
 * receiver builds each object through dictionary-like property additions; that is most of what a
 * record costs when it crosses threads (`bench/cross-thread-serialization.ts`). Anything else
 * (arrays, Dates, Maps, nulls, mixed types, class instances, objects nested deeper than
 * {@link MAX_NESTING} levels) returns `undefined` from {@link encodeColumns}, and the caller
 * clones the batch as before — decoding gives what the structured clone would have given, for
 * every batch it accepts, except that a nested object shared by several records of one batch
 * arrives as a copy per record (the clone keeps one shared copy): records are values, and
 * nothing in Eddy relies on two records sharing an object.
 *
 * Strings stay one string per record (an array that is cloned): joining them into one string and
 * slicing it back would be faster, but every slice would keep the whole batch's string alive for
 * as long as the record's string lives (in keyed state, say).
 *
 * @module
 */

/**
 * One column: a field's values for every record of the batch — numbers, booleans (0 or 1),
 * strings, or the columns of a field that is itself a plain object of one shape.
 */
export type Column = LeafColumn | NestedColumns;

/** A column of numbers, booleans (0 or 1) or strings. */
type LeafColumn = Float64Array | Uint8Array | string[];

function isLeaf(c: Column): c is LeafColumn {
  return c instanceof Float64Array || c instanceof Uint8Array || Array.isArray(c);
}

/** The columns of an object-valued field: its keys in order and a column per key. */
export interface NestedColumns {
  readonly keys: readonly string[];
  readonly columns: readonly Column[];
}

/** A batch in columns (plain data plus transferable buffers). */
export interface ColumnarBatch {
  /** Field names in order; `null`: the records are the values themselves (one column). */
  readonly keys: readonly string[] | null;
  readonly columns: readonly Column[];
}

/** Key lists a thread encodes in columns (nested ones included); records with others are cloned. */
const MAX_SHAPES = 256;

/**
 * Objects nested up to this many levels below the record travel in columns; a batch with deeper
 * ones is cloned. Bounds the work on a record that refers to itself, which the clone handles.
 */
const MAX_NESTING = 2;

type Factory = (leaves: readonly LeafColumn[], i: number) => unknown;

/** Key lists this thread has encoded. */
const shapes = new Set<string>();
/** Decoding factories by the batch's structure (bounded by what senders encode). */
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
    if (!Array.isArray(column)) transfer.push((column as Float64Array).buffer as ArrayBuffer);
    return { keys: null, columns: [column] };
  }
  const buffers: ArrayBuffer[] = [];
  const batch = encodeObjects(values, n, 0, buffers);
  if (batch === undefined) return undefined;
  for (const b of buffers) transfer.push(b);
  return batch;
}

/**
 * The columns of `n` plain objects of one shape (`depth` levels below the record), or undefined.
 * Typed-array buffers go to `buffers`.
 */
function encodeObjects(
  values: readonly unknown[],
  n: number,
  depth: number,
  buffers: ArrayBuffer[],
): NestedColumns | undefined {
  const first = values[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const keys = plainKeys(first);
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
    const v = (first as Record<string, unknown>)[key];
    const k = typeof v;
    if (k === 'number' || k === 'string' || k === 'boolean') kinds.push(k);
    else if (k === 'object' && v !== null && depth < MAX_NESTING) kinds.push('object');
    else return undefined;
  }
  // Every record must have exactly these keys, in this order, as own data of a plain object.
  for (let i = 1; i < n; i++) if (!sameShape(values[i], keys)) return undefined;
  const columns: Column[] = [];
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j] as string;
    let column: Column | undefined;
    if (kinds[j] === 'object') {
      const fields = new Array<unknown>(n);
      for (let i = 0; i < n; i++) fields[i] = (values[i] as Record<string, unknown>)[key];
      column = encodeObjects(fields, n, depth + 1, buffers);
    } else {
      column = encodeField(values, n, key, kinds[j] as string);
      if (column instanceof Float64Array || column instanceof Uint8Array) {
        buffers.push(column.buffer as ArrayBuffer);
      }
    }
    if (column === undefined) return undefined;
    columns.push(column);
  }
  return { keys, columns };
}

/** The records of a {@link ColumnarBatch}, into `out[0..n)`. */
export function decodeColumns(batch: ColumnarBatch, n: number, out: unknown[]): void {
  const { keys, columns } = batch;
  if (keys === null) {
    const column = columns[0] as LeafColumn;
    if (column instanceof Uint8Array) for (let i = 0; i < n; i++) out[i] = column[i] === 1;
    else for (let i = 0; i < n; i++) out[i] = column[i];
    return;
  }
  const leaves: LeafColumn[] = [];
  const signature = structureOf({ keys, columns }, leaves);
  let make = factories.get(signature);
  if (make === undefined) {
    make = compileFactory({ keys, columns });
    factories.set(signature, make);
  }
  for (let i = 0; i < n; i++) out[i] = make(leaves, i);
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

/**
 * The structure of `nested` as a string (key lists as JSON, `b` for a boolean column, `v` for one
 * stored as it is, braces around nested objects); its leaf columns, in order, go to `leaves`.
 */
function structureOf(nested: NestedColumns, leaves: LeafColumn[]): string {
  let s = `${JSON.stringify(nested.keys)}{`;
  for (const c of nested.columns) {
    if (isLeaf(c)) {
      leaves.push(c);
      s += c instanceof Uint8Array ? 'b' : 'v';
    } else s += structureOf(c, leaves);
  }
  return `${s}}`;
}

/**
 * `(leaves, i) => ({ k0: leaves[0][i], k1: { … }, … })` for a batch's structure. Generated so
 * every record is one object literal (one hidden class, no property-by-property additions); the
 * keys enter the source only as JSON string literals, and `__proto__` is never compiled (it would
 * set the prototype).
 */
function compileFactory(nested: NestedColumns): Factory {
  let leaf = 0;
  const literal = (n: NestedColumns, indent: string): string => {
    const fields = n.keys.map((k, j) => {
      const c = n.columns[j] as Column;
      let value: string;
      if (!isLeaf(c)) value = literal(c, `${indent}  `);
      else value = `leaves[${leaf++}][i]${c instanceof Uint8Array ? ' === 1' : ''}`;
      return `${JSON.stringify(k)}: ${value}`;
    });
    return `{\n${indent}  ${fields.join(`,\n${indent}  `)}\n${indent}}`;
  };
  return new Function('leaves', 'i', `return ${literal(nested, '  ')};`) as Factory;
}
