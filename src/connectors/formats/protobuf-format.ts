/**
 * Protobuf records with `protobufjs`: a message type from `.proto` source text (plus its full
 * name) or a ready `protobufjs.Type`. Decoded messages are turned into plain objects (longs as
 * numbers, enums as names, bytes as Buffers, defaults filled in), so downstream code sees data,
 * not protobufjs message instances.
 *
 * @module
 */
import protobuf from 'protobufjs';
import type { DeserializationSchema } from './deserialization-schema.ts';
import type { SerializationSchema } from './serialization-schema.ts';

/** A protobuf message type: `.proto` source text and the message's full name, or a Type. */
export type ProtobufMessageType =
  protobuf.Type | { readonly proto: string; readonly messageType: string };

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
};

/** Resolves a {@link ProtobufMessageType} to a protobufjs Type. */
export function protobufType(type: ProtobufMessageType): protobuf.Type {
  if (type instanceof protobuf.Type) return type;
  const root = protobuf.parse(type.proto, { keepCase: true }).root;
  return root.lookupType(type.messageType);
}

/**
 * Decodes protobuf records; truncated or otherwise invalid bytes throw (and are dead-lettered).
 *
 * @example
 * ```ts
 * const clicks = new ProtobufDeserializationSchema<Click>({
 *   proto: 'syntax = "proto3"; message Click { string user_id = 1; int64 ts = 2; }',
 *   messageType: 'Click',
 * });
 * ```
 */
export class ProtobufDeserializationSchema<T> implements DeserializationSchema<T> {
  readonly name = 'protobuf';
  readonly type: protobuf.Type;
  constructor(type: ProtobufMessageType) {
    this.type = protobufType(type);
  }
  deserialize(bytes: Uint8Array): T {
    // The plain Reader, not Reader.create(): for Buffers that picks BufferReader, whose string()
    // clamps a length that runs past the end instead of throwing (a cut string decodes to its
    // prefix), so truncated input would pass as valid.
    const reader = new protobuf.Reader(bytes);
    const message = this.type.decode(reader);
    if (reader.pos !== reader.len) {
      throw new Error(
        `truncated ${this.type.name}: decoding ended at byte ${reader.pos} of ${reader.len}`,
      );
    }
    return this.type.toObject(message, TO_OBJECT) as T;
  }
}

/**
 * Encodes plain objects as protobuf records; a value that does not fit the type throws.
 *
 * @example
 * ```ts
 * new ProtobufSerializationSchema<Click>({ proto, messageType: 'Click' }).serialize(click);
 * ```
 */
export class ProtobufSerializationSchema<T extends object> implements SerializationSchema<T> {
  readonly name = 'protobuf';
  readonly type: protobuf.Type;
  constructor(type: ProtobufMessageType) {
    this.type = protobufType(type);
  }
  serialize(value: T): Uint8Array {
    const problem = this.type.verify(value as Record<string, unknown>);
    if (problem !== null) throw new Error(`not a valid ${this.type.name}: ${problem}`);
    return this.type.encode(this.type.fromObject(value as Record<string, unknown>)).finish();
  }
}
