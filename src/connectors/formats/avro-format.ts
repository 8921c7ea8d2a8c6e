/**
 * Avro records (binary encoding, no container file, no schema registry framing) with `avsc`.
 * The user gives the schema; a record written with another schema usually fails to decode
 * (truncated or trailing bytes, invalid union index or length) and is dead-lettered.
 *
 * @module
 */
import avro from 'avsc';
import { checkAvroBounds } from './avro-bounds.ts';
import type { DeserializationSchema } from './deserialization-schema.ts';
import type { SerializationSchema } from './serialization-schema.ts';

/** An Avro schema: its JSON definition (object or string) or a parsed `avsc` type. */
export type AvroSchema = avro.Schema | string | avro.Type;

function toType(schema: AvroSchema): avro.Type {
  if (schema instanceof avro.Type) return schema;
  const definition: avro.Schema =
    typeof schema === 'string' ? (JSON.parse(schema) as avro.Schema) : schema;
  return avro.Type.forSchema(definition);
}

/**
 * Decodes Avro binary records with the given schema (writer schema = reader schema).
 *
 * @example
 * ```ts
 * const orders = new AvroDeserializationSchema<Order>({
 *   type: 'record',
 *   name: 'Order',
 *   fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }],
 * });
 * ```
 */
export class AvroDeserializationSchema<T> implements DeserializationSchema<T> {
  readonly name = 'avro';
  readonly type: avro.Type;
  constructor(schema: AvroSchema) {
    this.type = toType(schema);
  }
  deserialize(bytes: Uint8Array): T {
    // fromBuffer throws on truncated input and on trailing bytes, which is how most records
    // written with another schema show up.
    // Counts and lengths first: avsc would build an array of any count a corrupt record names.
    checkAvroBounds(this.type, bytes);
    return this.type.fromBuffer(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)) as T;
  }
}

/**
 * Encodes values as Avro binary records; a value that does not match the schema throws.
 *
 * @example
 * ```ts
 * new AvroSerializationSchema<Order>(orderSchema).serialize({ id: 'o-1', amount: 9.5 });
 * ```
 */
export class AvroSerializationSchema<T> implements SerializationSchema<T> {
  readonly name = 'avro';
  readonly type: avro.Type;
  constructor(schema: AvroSchema) {
    this.type = toType(schema);
  }
  serialize(value: T): Uint8Array {
    return this.type.toBuffer(value);
  }
}
