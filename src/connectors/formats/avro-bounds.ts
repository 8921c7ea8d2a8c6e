/**
 * A bounds check of Avro binary data against its schema, before `avsc` decodes it. `avsc` reads
 * an array or map block of n items by reading n items, even when the buffer ended long before
 * (it checks the position only at the end): a corrupt or hostile count of two billion builds a
 * two-billion-element array until the heap is exhausted and the process dies (found by the
 * fuzzing of issue #17; Avro Java's CVE-2023-39410, limited there since 1.11.3). This walk reads
 * only lengths, counts and union indexes, and refuses a count that the remaining bytes cannot
 * hold, so every record decodes within memory proportional to its size.
 *
 * @module
 */
import type avro from 'avsc';

/** At most this many items of a type that takes no bytes (an array of nulls) per block. */
const MAX_ZERO_SIZE_ITEMS = 1_000_000;

interface Cursor {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
}

function fail(message: string): never {
  throw new Error(`invalid Avro record: ${message}`);
}

/** A zig-zag varint (int or long), as a number (exact to 2^53). */
function readLong(c: Cursor): number {
  let n = 0;
  let shift = 1;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) fail('truncated (a number runs past the end)');
    const b = c.buf[c.pos++] as number;
    n += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    shift *= 128;
  }
  return fail('a number longer than 10 bytes');
}

function skip(c: Cursor, bytes: number, what: string): void {
  if (bytes < 0) fail(`negative ${what} length ${bytes}`);
  if (c.pos + bytes > c.end)
    fail(`truncated (${what} of ${bytes} bytes at byte ${c.pos} of ${c.end})`);
  c.pos += bytes;
}

/** The fewest bytes a value of `type` takes (0 for null, empty records and the like). */
function minSize(type: avro.Type, seen = new Set<avro.Type>()): number {
  const t = type as unknown as Record<string, unknown> & { typeName: string };
  switch (t.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t['size'] as number;
    case 'record':
    case 'error': {
      if (seen.has(type)) return 0; // recursive: do not loop
      seen.add(type);
      let n = 0;
      for (const f of t['fields'] as { type: avro.Type }[]) n += minSize(f.type, seen);
      return n;
    }
    default:
      // Logical types read their underlying type.
      if (t['underlyingType'] !== undefined) return minSize(t['underlyingType'] as avro.Type, seen);
      return 1; // every other type starts with at least one byte
  }
}

function walk(type: avro.Type, c: Cursor): void {
  const t = type as unknown as Record<string, unknown> & { typeName: string };
  switch (t.typeName) {
    case 'null':
      return;
    case 'boolean':
      return skip(c, 1, 'boolean');
    case 'int':
    case 'long':
      readLong(c);
      return;
    case 'float':
      return skip(c, 4, 'float');
    case 'double':
      return skip(c, 8, 'double');
    case 'bytes':
    case 'string':
      return skip(c, readLong(c), t.typeName);
    case 'fixed':
      return skip(c, t['size'] as number, 'fixed');
    case 'enum': {
      const i = readLong(c);
      if (i < 0 || i >= (t['symbols'] as unknown[]).length) fail(`enum index ${i} out of range`);
      return;
    }
    case 'record':
    case 'error':
      for (const f of t['fields'] as { type: avro.Type }[]) walk(f.type, c);
      return;
    case 'array':
    case 'map': {
      const items = (t.typeName === 'array' ? t['itemsType'] : t['valuesType']) as avro.Type;
      const min = minSize(items) + (t.typeName === 'map' ? 1 : 0);
      for (;;) {
        let n = readLong(c);
        if (n === 0) return;
        if (n < 0) {
          n = -n;
          readLong(c); // the block's size in bytes
        }
        if (min === 0 ? n > MAX_ZERO_SIZE_ITEMS : n * min > c.end - c.pos)
          fail(
            `a ${t.typeName} block of ${n} items at byte ${c.pos}, more than the ${c.end - c.pos} bytes left can hold`,
          );
        for (let i = 0; i < n; i++) {
          if (t.typeName === 'map') skip(c, readLong(c), 'map key');
          walk(items, c);
        }
      }
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const types = t['types'] as avro.Type[];
      const i = readLong(c);
      if (i < 0 || i >= types.length) fail(`union index ${i} out of range`);
      return walk(types[i] as avro.Type, c);
    }
    default:
      if (t['underlyingType'] !== undefined) return walk(t['underlyingType'] as avro.Type, c);
      // An unknown kind: leave it to avsc.
      return;
  }
}

/** Throws when `buf` cannot be a record of `type` without reading past its end. */
export function checkAvroBounds(type: avro.Type, buf: Uint8Array): void {
  walk(type, { pos: 0, end: buf.length, buf });
}
