/**
 * Decoders of record bytes (Flink's `DeserializationSchema`).
 *
 * @module
 */

/**
 * Turns the bytes of one record into a typed value. Throw on malformed input: the source sends
 * the record to the dead-letter output (or fails the job under `failOnMalformedInput`).
 *
 * @example
 * ```ts
 * const utf8: DeserializationSchema<string> = {
 *   name: 'utf8',
 *   deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
 * };
 * ```
 */
export interface DeserializationSchema<T> {
  /** The format's name, shown in the plan. */
  readonly name: string;
  /** Decodes one record; throws when the bytes are not a valid record. */
  deserialize(bytes: Uint8Array): T;
}
