/**
 * JSON records: UTF-8 text parsed with `JSON.parse`, optionally checked by a typed validator.
 *
 * @module
 */
import type { DeserializationSchema } from './deserialization-schema.ts';
import type { SerializationSchema } from './serialization-schema.ts';

/**
 * Checks a parsed value and returns it typed; throws (with a message saying what is wrong) when
 * it does not have the expected shape.
 */
export type JsonValidator<T> = (value: unknown) => T;

/**
 * Decodes UTF-8 JSON records. Without a validator the parsed value is trusted to be a `T`; with
 * one, records of the wrong shape are malformed too (dead-lettered).
 *
 * @example
 * ```ts
 * const clicks = new JsonDeserializationSchema<Click>((v) => {
 *   if (typeof v !== 'object' || v === null || !('userId' in v)) throw new Error('no userId');
 *   return v as Click;
 * });
 * ```
 */
export class JsonDeserializationSchema<T> implements DeserializationSchema<T> {
  readonly name = 'json';
  // One decoder for the reader's lifetime; `fatal` makes invalid UTF-8 malformed, not U+FFFD.
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly validate?: JsonValidator<T>) {}

  deserialize(bytes: Uint8Array): T {
    const value: unknown = JSON.parse(this.#decoder.decode(bytes));
    return this.validate === undefined ? (value as T) : this.validate(value);
  }
}

/**
 * Encodes values as UTF-8 JSON.
 *
 * @example
 * ```ts
 * KafkaRecordSerializationSchema.builder<Order>()
 *   .setTopic('orders')
 *   .setValueSerializationSchema(new JsonSerializationSchema<Order>())
 *   .build();
 * ```
 */
export class JsonSerializationSchema<T> implements SerializationSchema<T> {
  readonly name = 'json';
  serialize(value: T): Uint8Array {
    return Buffer.from(JSON.stringify(value), 'utf8');
  }
}
