/**
 * Key groups, as in Flink: a key hashes into one of `maxParallelism` groups, and groups are laid
 * out in contiguous ranges over the subtasks. State is stored per key group, so it can be
 * redistributed when the parallelism changes.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';

/**
 * Normalizes a key so that equal keys are equal Map keys, and refuses what cannot be a key.
 *
 * What a key may be (Flink asks for a deterministic `hashCode`/`equals` and refuses null):
 * - a string, number, boolean or bigint — equal when `===` (NaN equals NaN, -0 equals 0, as in
 *   a `Map`); 1 and "1" are different keys;
 * - a composite: an array, or a plain object (`{…}`, prototype `Object.prototype` or null), of
 *   such values, `null`, and composites — equal when their elements are equal in order (arrays)
 *   or their properties are equal whatever their order (objects; a property whose value is
 *   `undefined` counts as absent, as in JSON).
 *
 * Refused, naming what was found: `null` or `undefined` as the key, symbols, functions, holes or
 * `undefined` in arrays, and objects of other kinds (Date, Map, Set, typed arrays, class
 * instances): their equality is not defined by what JSON or a Map sees of them (every Set looked
 * like `{}`). Composites normalize to a canonical string that starts with a NUL character, and so
 * does a string key that itself starts with NUL (escaped), so no string key equals a composite.
 */
export function normalizeKey(key: unknown): unknown {
  switch (typeof key) {
    case 'string':
      return key.charCodeAt(0) === 0 ? `\u0000${JSON.stringify(key)}` : key;
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    case 'object':
      if (key === null)
        throw invalidKey('null', 'a key must not be null (Flink refuses null keys too)');
      return `\u0000${canonical(key, 0)}`;
    default:
      throw invalidKey(typeof key, describeInvalid(key));
  }
}

/**
 * Whether `key` is its own normalized form (a number, or a string not starting with NUL): a
 * table keyed by normalized keys can then be read with the key as it is, without
 * {@link normalizeKey}. (The fused keyed reduce's generated code inlines the same test.)
 */
export function isOwnNormalForm(key: unknown): key is number | string {
  return typeof key === 'number' || (typeof key === 'string' && key.charCodeAt(0) !== 0);
}

/**
 * The string form of a normalized key inside a composite state key (`key␁namespace`): strings
 * as they are, other primitives tagged, so 1 and "1" stay apart (normalized strings never start
 * with NUL followed by a tag letter).
 */
export function keyString(normalizedKey: unknown): string {
  switch (typeof normalizedKey) {
    case 'string':
      return normalizedKey;
    case 'number':
      return `\u0000n${normalizedKey}`;
    case 'boolean':
      return normalizedKey ? '\u0000b1' : '\u0000b0';
    case 'bigint':
      return `\u0000i${normalizedKey}`;
    default:
      return `\u0000u${String(normalizedKey)}`;
  }
}

/** Composites nested deeper than this are refused (a cycle, most likely). */
const MAX_DEPTH = 64;

function canonical(value: object, depth: number): string {
  if (depth >= MAX_DEPTH)
    throw invalidKey(
      'a composite nested too deep',
      `composites nest at most ${MAX_DEPTH} levels (is there a cycle?)`,
    );
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (!(i in value) || value[i] === undefined)
        throw invalidKey('an array with undefined', `element ${i} of the array is undefined`);
      out += element(value[i], depth);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw invalidKey(
      `a ${name}`,
      `a ${name} is not a key: its equality is not defined by its fields`,
    );
  }
  const names = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const name of names) {
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(name)}:${element(v, depth)}`;
  }
  return `${out}}`;
}

function element(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // Not JSON: NaN and ±Infinity must not all read "null".
      return Object.is(v, -0) ? '0' : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `${v}n`;
    case 'object':
      return v === null ? 'null' : canonical(v, depth + 1);
    default:
      throw invalidKey(`a composite holding ${typeof v}`, describeInvalid(v));
  }
}

function describeInvalid(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'the key selector returned undefined (a missing field?)';
    case 'symbol':
      return 'a symbol is not a key: it cannot be saved in a checkpoint';
    case 'function':
      return 'a function is not a key';
    default:
      return `${typeof v} is not a key`;
  }
}

function invalidKey(what: string, detail: string) {
  return userError('INVALID_KEY', `invalid key (${what}): ${detail}`, {
    retryable: false,
  });
}

/** How to write a key that is accepted; the runtime adds it to INVALID_KEY errors. */
export const KEY_HINT =
  'return a string, number, boolean or bigint, or a plain object or array of them ' +
  '(e.g. keyBy((e) => [e.user, e.region])); for a Date use date.getTime(), for bytes a hex string';

/** murmur3 fmix32 finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3_32 over the UTF-16 code units of a string. */
function murmurString(s: string): number {
  let h = 0x9747b28c;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ n);
}

/** A well-mixed 32-bit hash of a normalized key. */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case 'number':
      return Number.isInteger(key) && key >= -0x80000000 && key <= 0x7fffffff
        ? fmix32(key | 0)
        : murmurString(String(key));
    case 'string':
      return murmurString(key);
    case 'boolean':
      return key ? fmix32(1231) : fmix32(1237);
    case 'bigint':
      return murmurString(key.toString());
    case 'undefined':
      return 0;
    default:
      return murmurString(String(key));
  }
}

/** The key group of a normalized key. */
export function keyGroupOf(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The subtask that owns a key group (Flink's `computeOperatorIndexForKeyGroup`). */
export function subtaskForKeyGroup(
  keyGroup: number,
  parallelism: number,
  maxParallelism: number,
): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups `[start, end]` (inclusive) owned by a subtask. */
export function keyGroupRange(
  subtask: number,
  parallelism: number,
  maxParallelism: number,
): { start: number; end: number } {
  return {
    start: Math.floor((subtask * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((subtask + 1) * maxParallelism - 1) / parallelism),
  };
}
