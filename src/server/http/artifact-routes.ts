/**
 * `/v1/artifacts`: upload (the artifact file's bytes), list, describe, delete.
 *
 * @module
 */
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { EddyError } from '../../errors/eddy-error.ts';
import { DEFAULT_ARTIFACT_LIMITS } from '../../artifact/artifact-limits.ts';
import { ArtifactDescriptionSchema } from '../../protocol/artifact.ts';
import { IdSchema } from '../../protocol/common.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';

const IdParams = Type.Object({ id: IdSchema });

/** Registers the artifact routes. */
export function registerArtifactRoutes(
  app: FastifyInstance,
  artifacts: ArtifactStore,
  maxArtifactBytes: number = DEFAULT_ARTIFACT_LIMITS.maxArtifactBytes,
): void {
  app.addContentTypeParser(
    ['application/octet-stream', 'application/zip'],
    { parseAs: 'buffer', bodyLimit: maxArtifactBytes },
    (_request, payload, done) => done(null, payload),
  );
  app.post(
    '/v1/artifacts',
    {
      bodyLimit: maxArtifactBytes,
      schema: {
        summary: 'upload an artifact (the .eddy file, as application/octet-stream)',
        response: { 201: ArtifactDescriptionSchema },
      },
    },
    async (request, reply) => {
      const bytes = request.body;
      if (!(bytes instanceof Uint8Array)) {
        throw new EddyError('send the artifact file as application/octet-stream', {
          code: 'BAD_REQUEST',
          domain: 'user',
          hint: 'curl --data-binary @app.eddy -H "content-type: application/octet-stream" …',
        });
      }
      return reply.status(201).send(await artifacts.upload(bytes));
    },
  );
  app.get(
    '/v1/artifacts',
    {
      schema: {
        summary: 'list artifacts',
        response: { 200: Type.Array(ArtifactDescriptionSchema) },
      },
    },
    async () => artifacts.list(),
  );
  app.get(
    '/v1/artifacts/:id',
    { schema: { params: IdParams, response: { 200: ArtifactDescriptionSchema } } },
    async (request) => artifacts.get((request.params as { id: string }).id),
  );
  app.delete('/v1/artifacts/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await artifacts.delete((request.params as { id: string }).id);
    return reply.status(204).send();
  });
}
