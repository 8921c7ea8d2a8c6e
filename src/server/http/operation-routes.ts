/**
 * `/v1/operations/{id}` and `/v1/applications/{name}/operations` (ListApplicationOperations).
 *
 * @module
 */
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema, NameSchema } from '../../protocol/common.ts';
import { OperationDescriptionSchema } from '../../protocol/operation.ts';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';

/** Registers the operation routes. */
export function registerOperationRoutes(app: FastifyInstance, apps: ApplicationManager): void {
  app.get(
    '/v1/applications/:name/operations',
    {
      schema: {
        params: Type.Object({ name: NameSchema }),
        response: { 200: Type.Array(OperationDescriptionSchema) },
      },
    },
    async (request) => apps.operationsOf((request.params as { name: string }).name),
  );
  app.get(
    '/v1/operations/:id',
    {
      schema: {
        params: Type.Object({ id: IdSchema }),
        response: { 200: OperationDescriptionSchema },
      },
    },
    async (request) => apps.operation((request.params as { id: string }).id),
  );
}
