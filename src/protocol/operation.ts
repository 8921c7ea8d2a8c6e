/**
 * Operations: every call that changes an application's state is recorded as one, as the managed
 * Flink service's ListApplicationOperations shows them.
 *
 * @module
 */
import { Type, type Static } from 'typebox';
import { IdSchema, NameSchema, TimestampSchema } from './common.ts';

/** What an operation does. */
export const OperationTypeSchema = Type.Union([
  Type.Literal('CREATE'),
  Type.Literal('START'),
  Type.Literal('STOP'),
  Type.Literal('UPDATE'),
  Type.Literal('ROLLBACK'),
  Type.Literal('SYSTEM_ROLLBACK'),
  Type.Literal('SNAPSHOT'),
  Type.Literal('DELETE_SNAPSHOT'),
  Type.Literal('DELETE'),
  Type.Literal('RECOVER'),
]);

/** What an operation does. */
export type OperationType = Static<typeof OperationTypeSchema>;

/** Where an operation is. */
export const OperationStatusSchema = Type.Union([
  Type.Literal('IN_PROGRESS'),
  Type.Literal('SUCCESSFUL'),
  Type.Literal('FAILED'),
]);

/** Where an operation is. */
export type OperationStatus = Static<typeof OperationStatusSchema>;

/** One stage of an operation and how long it took. */
export const OperationStageSchema = Type.Object({
  /** E.g. `savepoint`, `process-exit`, `process-start`, `job-start`, `running`. */
  name: Type.String(),
  /** Wall-clock milliseconds. */
  ms: Type.Integer({ minimum: 0 }),
});

/** One stage of an operation and how long it took. */
export type OperationStage = Static<typeof OperationStageSchema>;

/** One operation. */
export const OperationDescriptionSchema = Type.Object({
  id: IdSchema,
  application: NameSchema,
  type: OperationTypeSchema,
  status: OperationStatusSchema,
  startedAt: TimestampSchema,
  endedAt: Type.Optional(TimestampSchema),
  /** The token name that asked for it, or `system`. */
  by: Type.String(),
  failureReason: Type.Optional(Type.String()),
  /** The EddyError code of the failure (the code the application's process answered with). */
  failureCode: Type.Optional(Type.String()),
  /** Whether the failed operation may succeed if asked again. */
  failureRetryable: Type.Optional(Type.Boolean()),
  /** The application version the operation produced or acted on. */
  version: Type.Optional(Type.Integer()),
  snapshot: Type.Optional(Type.String()),
  /** Where the time of a start, stop, update or rollback went, stage by stage, in order. */
  stages: Type.Optional(Type.Array(OperationStageSchema)),
});

/** One operation. */
export type OperationDescription = Static<typeof OperationDescriptionSchema>;

/** The answer to a call that starts an operation (202). */
export const OperationAcceptedSchema = Type.Object({
  operationId: IdSchema,
  application: NameSchema,
  status: Type.String(),
});

/** The answer to a call that starts an operation (202). */
export type OperationAccepted = Static<typeof OperationAcceptedSchema>;
