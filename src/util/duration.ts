import { userError } from '../errors/eddy-error.ts';

/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'30s'`, `'30m'`, `'2h'`, `'1d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Converts a {@link Duration} to milliseconds.
 *
 * @example
 * ```ts
 * toMillis('30s'); // 30000
 * toMillis(1500);  // 1500
 * ```
 */
export function toMillis(d: Duration, what = 'duration'): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) {
      throw userError(
        'INVALID_ARGUMENT',
        `${what} must be a non-negative number of milliseconds, got ${d}`,
      );
    }
    return d;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d);
  const unit = m?.[2];
  if (m === null || unit === undefined) {
    throw userError('INVALID_ARGUMENT', `${what} "${d}" is not a duration`, {
      hint: "use milliseconds or a string like '250ms', '30s', '30m', '2h', '1d'",
    });
  }
  return Math.round(Number(m[1]) * (UNITS[unit] ?? 1));
}
