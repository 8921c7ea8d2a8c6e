/**
 * Snapshots: savepoints the server takes of an application and keeps for restores and rollbacks.
 *
 * @module
 */
import { Type, type Static } from 'typebox';
import { IdSchema, NameSchema, TimestampSchema } from './common.ts';

/** One snapshot of an application. */
export const SnapshotDescriptionSchema = Type.Object({
  id: IdSchema,
  application: NameSchema,
  status: Type.Union([
    Type.Literal('CREATING'),
    Type.Literal('READY'),
    Type.Literal('FAILED'),
    Type.Literal('DELETING'),
  ]),
  /** The application version whose job wrote it. */
  version: Type.Integer(),
  createdAt: TimestampSchema,
  sizeBytes: Type.Optional(Type.Integer()),
  /** Taken by the server itself (on stop or update) rather than asked for. */
  system: Type.Boolean(),
  failureReason: Type.Optional(Type.String()),
});

/** One snapshot of an application. */
export type SnapshotDescription = Static<typeof SnapshotDescriptionSchema>;

/** `POST /v1/applications/{name}/snapshots` body. */
export const CreateSnapshotRequestSchema = Type.Object({}, { additionalProperties: false });
