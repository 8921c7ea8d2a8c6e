/**
 * Names the `keyBy` behind a refused key. `normalizeKey` (state layer) knows only the key; the
 * runtime knows which keyed operator's selector returned it and where `keyBy` was called.
 *
 * @module
 */
import { EddyError, userError, type OperatorRef } from '../errors/eddy-error.ts';
import { KEY_HINT } from '../state/key-groups.ts';

/** Whether `e` is a refused key not yet attributed to an operator. */
export function isUnattributedInvalidKey(e: unknown): e is EddyError {
  return e instanceof EddyError && e.code === 'INVALID_KEY' && e.operator === undefined;
}

/**
 * The error of a key refused for the keyed operator `operator`, whose key selector was given to
 * `keyBy` at `keyBySite`. Not retryable: the same record gives the same key after a restart.
 */
export function invalidKeyError(
  e: EddyError,
  operator: OperatorRef,
  keyBySite: string | undefined,
): EddyError {
  const where = keyBySite === undefined ? 'keyBy()' : `keyBy() at ${keyBySite}`;
  return userError('INVALID_KEY', `${e.message}, returned by the key selector of ${where}`, {
    operator,
    retryable: false,
    hint: KEY_HINT,
  });
}
