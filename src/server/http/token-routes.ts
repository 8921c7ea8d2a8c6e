/**
 * `/v1/tokens`: API tokens, for admins only (create, list, revoke). A token's value is answered
 * once, when it is created; the server keeps only its hash.
 *
 * @module
 */
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema } from '../../protocol/common.ts';
import {
  CreatedTokenSchema,
  CreateTokenRequestSchema,
  TokenDescriptionSchema,
  type CreateTokenRequest,
} from '../../protocol/token.ts';
import type { TokenAdmin } from '../tokens/token-admin.ts';

/** Registers the token routes (role admin). */
export function registerTokenRoutes(app: FastifyInstance, tokens: TokenAdmin): void {
  const config = { role: 'admin' as const };
  app.get(
    '/v1/tokens',
    {
      config,
      schema: {
        summary: 'list API tokens (admin)',
        response: { 200: Type.Array(TokenDescriptionSchema) },
      },
    },
    async () => tokens.list(),
  );
  app.post(
    '/v1/tokens',
    {
      config,
      schema: {
        summary: 'create an API token (admin); its value is answered once',
        body: CreateTokenRequestSchema,
        response: { 201: CreatedTokenSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as CreateTokenRequest;
      return reply.status(201).send(tokens.create(body.name, body.role));
    },
  );
  app.delete(
    '/v1/tokens/:id',
    {
      config,
      schema: {
        summary: 'revoke an API token (admin)',
        params: Type.Object({ id: IdSchema }),
        response: { 200: TokenDescriptionSchema },
      },
    },
    async (request) => tokens.revoke((request.params as { id: string }).id),
  );
}
