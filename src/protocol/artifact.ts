/**
 * Artifacts: one-file application packages uploaded to the server (`POST /v1/artifacts`).
 *
 * @module
 */
import { Type, type Static } from 'typebox';
import { IdSchema, TimestampSchema } from './common.ts';

/** An uploaded artifact. */
export const ArtifactDescriptionSchema = Type.Object({
  id: IdSchema,
  sha256: Type.String(),
  size: Type.Integer(),
  uploadedAt: TimestampSchema,
  manifest: Type.Object(
    { name: Type.String(), entry: Type.String(), eddyVersion: Type.String() },
    { additionalProperties: true },
  ),
});

/** An uploaded artifact. */
export type ArtifactDescription = Static<typeof ArtifactDescriptionSchema>;
