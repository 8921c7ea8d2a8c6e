/**
 * The identity of a keyed state entry as a string: state name, normalized key and namespace. The
 * LMDB backend stores entries under it, and incremental checkpoints name removed entries by it,
 * so a restore can apply a chain of changes (`merge-state-changes.ts`) whatever backend wrote it.
 *
 * @module
 */

/** The string form of a normalized key or namespace, tagged by type (1 and "1" stay apart). */
export function encodeKeyPart(k: unknown): string {
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

/** The prefix of every entry of state `name`. */
export function statePrefix(name: string): string {
  return `${name}\u0000`;
}

/** The first entry key after every entry of state `name` (its prefix ends in NUL; NUL + 1 here). */
export function stateRangeEnd(name: string): string {
  return `${name}\u0001`;
}

/** The entry key of (state, normalized key, namespace). */
export function entryKeyOf(
  name: string,
  normalizedKey: unknown,
  namespace: string | number | undefined,
): string {
  const k = encodeKeyPart(normalizedKey);
  return namespace === undefined
    ? `${name}\u0000${k}`
    : `${name}\u0000${k}\u0001${encodeKeyPart(namespace)}`;
}

/**
 * The raw key of an entry key without namespace whose normalized key is a primitive (what
 * {@link entryKeyOf} made of it), or `undefined` when it cannot be read back.
 */
export function primitiveKeyOf(entryKey: string, prefixLength: number): unknown {
  const tag = entryKey.charCodeAt(prefixLength);
  const rest = entryKey.slice(prefixLength + 1);
  switch (tag) {
    case 110: // n
      return Number(rest);
    case 115: // s
      return rest;
    case 98: // b
      return rest === '1';
    case 105: // i
      return BigInt(rest);
    default:
      return undefined;
  }
}
