/**
 * Finds the part of a value that cannot cross a thread boundary (structured clone), for an error
 * that names the offending field rather than just "could not be cloned".
 *
 * @module
 */

/** Where and what the first unserializable part of a value is. */
export interface UnserializablePart {
  /** Field path from the record, e.g. `record.user.onClick` or `record.items[2]`. */
  readonly path: string;
  /** What was found there, e.g. `a function`, `a symbol`, `a WeakMap`. */
  readonly what: string;
}

const UNCLONEABLE = [WeakMap, WeakSet, WeakRef, Promise] as const;

/**
 * The first part of `value` that structured clone rejects (functions, symbols, weak collections,
 * promises, …), or undefined when none is found by walking.
 */
export function findUnserializable(
  value: unknown,
  path = 'record',
  seen = new Set<object>(),
): UnserializablePart | undefined {
  if (typeof value === 'function') return { path, what: 'a function' };
  if (typeof value === 'symbol') return { path, what: 'a symbol' };
  if (value === null || typeof value !== 'object') return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  for (const c of UNCLONEABLE) if (value instanceof c) return { path, what: `a ${c.name}` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnserializable(value[i] as unknown, `${path}[${i}]`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const found =
        findUnserializable(k, `${path}.<key ${String(k)}>`, seen) ??
        findUnserializable(v, `${path}.get(${JSON.stringify(String(k))})`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const found = findUnserializable(v, `${path}.<element ${i++}>`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = findUnserializable(
      (value as Record<string, unknown>)[key],
      /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
      seen,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}
