/**
 * `/v1/applications/{name}/snapshots`: take (without stopping), list, describe, delete.
 *
 * @module
 */
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema, NameSchema } from '../../protocol/common.ts';
import { OperationAcceptedSchema } from '../../protocol/operation.ts';
import { SnapshotDescriptionSchema } from '../../protocol/snapshot.ts';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';
import { callerOf } from './bearer-auth.ts';

const NameParams = Type.Object({ name: NameSchema });
const SnapshotParams = Type.Object({ name: NameSchema, snapshotId: IdSchema });
type Params = { name: string; snapshotId: string };

/** Registers the snapshot routes. */
export function registerSnapshotRoutes(app: FastifyInstance, apps: ApplicationManager): void {
  app.post(
    '/v1/applications/:name/snapshots',
    {
      schema: {
        summary: 'snapshot a running application (CreateApplicationSnapshot)',
        params: NameParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 202: OperationAcceptedSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(apps.createSnapshot((request.params as Params).name, callerOf(request))),
  );
  app.get(
    '/v1/applications/:name/snapshots',
    { schema: { params: NameParams, response: { 200: Type.Array(SnapshotDescriptionSchema) } } },
    async (request) => apps.snapshotsOf((request.params as Params).name),
  );
  app.get(
    '/v1/applications/:name/snapshots/:snapshotId',
    { schema: { params: SnapshotParams, response: { 200: SnapshotDescriptionSchema } } },
    async (request) => {
      const p = request.params as Params;
      return apps.snapshot(p.name, p.snapshotId);
    },
  );
  app.delete(
    '/v1/applications/:name/snapshots/:snapshotId',
    { schema: { params: SnapshotParams } },
    async (request, reply) => {
      const p = request.params as Params;
      await apps.deleteSnapshot(p.name, p.snapshotId, callerOf(request));
      return reply.status(204).send();
    },
  );
}
