import { userError } from '../errors/eddy-error.ts';

/** A memory size: bytes as a number, or a string such as `'512kb'`, `'256mb'`, `'2gb'`. */
export type MemorySize = number | `${number}${'b' | 'kb' | 'mb' | 'gb'}`;

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/**
 * Converts a {@link MemorySize} to bytes (units are binary: `'1mb'` is 1,048,576 bytes).
 *
 * @example
 * ```ts
 * toBytes('256mb'); // 268435456
 * ```
 */
export function toBytes(size: MemorySize | string, what = 'memory size'): number {
  if (typeof size === 'number') {
    if (!Number.isFinite(size) || size <= 0) {
      throw userError(
        'INVALID_ARGUMENT',
        `${what} must be a positive number of bytes, got ${size}`,
      );
    }
    return Math.floor(size);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(size);
  if (m === null || Number(m[1]) <= 0) {
    throw userError('INVALID_ARGUMENT', `${what} "${size}" is not a memory size`, {
      hint: "use bytes or a string like '64mb', '2gb'",
    });
  }
  return Math.floor(Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
}
