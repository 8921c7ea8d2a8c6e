/**
 * Where each key selector was given to `keyBy`, so that a key refused at run time (see
 * `normalizeKey`) can be reported with the user's `keyBy(...)` line. Recorded while the job is
 * built, never on the record path.
 *
 * @module
 */

/** `file:line:column` of the `keyBy` call of each key selector. */
export const keyBySites = new WeakMap<object, string | undefined>();
