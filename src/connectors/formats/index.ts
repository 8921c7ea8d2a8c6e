/**
 * Record formats shared by connectors: typed decoders ({@link DeserializationSchema}) and
 * encoders ({@link SerializationSchema}) for JSON, Avro and Protobuf.
 *
 * @module
 */
export type { DeserializationSchema } from './deserialization-schema.ts';
export type { SerializationSchema } from './serialization-schema.ts';
export {
  JsonDeserializationSchema,
  JsonSerializationSchema,
  type JsonValidator,
} from './json-format.ts';
export {
  AvroDeserializationSchema,
  AvroSerializationSchema,
  type AvroSchema,
} from './avro-format.ts';
export {
  ProtobufDeserializationSchema,
  ProtobufSerializationSchema,
  protobufType,
  type ProtobufMessageType,
} from './protobuf-format.ts';
