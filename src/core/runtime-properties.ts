/**
 * Runtime properties of a job (the managed service's "property groups"): set with
 * `eddy run --prop group.key=value` or `StreamEnvironment.create({ properties })`, read in the
 * job while it is built (`env.properties`) and in every function (`ctx.properties`).
 */
export interface RuntimeProperties {
  /** The value of `group.key` (or of a key without a group), or `undefined`. */
  get(key: string): string | undefined;
  /** The value, or `fallback` when unset. */
  get(key: string, fallback: string): string;
  /** The value parsed as a number; throws a clear error when it is not one. */
  getNumber(key: string, fallback?: number): number | undefined;
  /** The value parsed as a boolean (`true`/`false`/`1`/`0`). */
  getBoolean(key: string, fallback?: boolean): boolean | undefined;
  /** All `key → value` pairs of a group (`group.` prefix removed). */
  group(name: string): Readonly<Record<string, string>>;
  /** All properties. */
  all(): Readonly<Record<string, string>>;
}
