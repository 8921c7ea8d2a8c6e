/**
 * Key groups, as in Flink: a key hashes into one of `maxParallelism` groups, and groups are laid
 * out in contiguous ranges over the subtasks. State is stored per key group, so it can be
 * redistributed when the parallelism changes.
 *
 * @module
 */

/** Normalizes a key so that equal keys are equal Map keys: composite keys become their JSON. */
export function normalizeKey(key: unknown): unknown {
  return typeof key === 'object' && key !== null ? JSON.stringify(key) : key;
}

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
