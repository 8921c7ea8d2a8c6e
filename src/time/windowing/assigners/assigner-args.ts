import { userError } from '../../../errors/eddy-error.ts';
import { toMillis, type Duration } from '../../../util/duration.ts';

/** @internal A positive duration argument of an assigner, in ms. */
export function positiveMillis(d: Duration, what: string, assigner: string): number {
  const ms = toMillis(d, `${assigner} ${what}`);
  if (ms <= 0) {
    throw userError('INVALID_ARGUMENT', `${assigner}: ${what} must be positive, got ${ms} ms`, {
      hint: "use milliseconds or a string like '10s'",
    });
  }
  return ms;
}

/** @internal A window offset (may be negative), in ms; |offset| must be below `bound`. */
export function offsetMillis(d: Duration | undefined, bound: number, assigner: string): number {
  if (d === undefined) return 0;
  const ms = typeof d === 'number' && d < 0 ? -toMillis(-d, 'offset') : toMillis(d, 'offset');
  if (Math.abs(ms) >= bound) {
    throw userError('INVALID_ARGUMENT', `${assigner}: |offset| must be smaller than ${bound} ms`, {
      hint: 'an offset shifts window boundaries (e.g. time zones); keep it within one window step',
    });
  }
  return ms;
}

/** Greatest common divisor (slice size of sliding windows). */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
