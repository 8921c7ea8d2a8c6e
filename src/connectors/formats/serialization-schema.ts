/**
 * Encoders of records into bytes (Flink's `SerializationSchema`).
 *
 * @module
 */

/**
 * Turns a value into the bytes of one record.
 *
 * @example
 * ```ts
 * const utf8: SerializationSchema<string> = { name: 'utf8', serialize: (s) => Buffer.from(s) };
 * ```
 */
export interface SerializationSchema<T> {
  /** The format's name, shown in the plan. */
  readonly name: string;
  serialize(value: T): Uint8Array;
}
