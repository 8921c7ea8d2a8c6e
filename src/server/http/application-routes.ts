/**
 * `/v1/applications`: create, list, describe, update (a new version), delete, start, stop,
 * rollback, versions and logs (the job: job-routes.ts). Calls that change an application answer 202 with the
 * operation's id; `GET /v1/operations/{id}` reports how it ends.
 *
 * @module
 */
import { open, stat } from 'node:fs/promises';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import {
  ApplicationDescriptionSchema,
  ApplicationVersionSchema,
  CreateApplicationRequestSchema,
  StartApplicationRequestSchema,
  StopApplicationRequestSchema,
  UpdateApplicationRequestSchema,
  type CreateApplicationRequest,
  type StartApplicationRequest,
  type StopApplicationRequest,
  type UpdateApplicationRequest,
} from '../../protocol/application.ts';
import { NameSchema } from '../../protocol/common.ts';
import { OperationAcceptedSchema } from '../../protocol/operation.ts';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';
import { LogFollower } from '../logs/log-follower.ts';
import { callerOf } from './bearer-auth.ts';

const NameParams = Type.Object({ name: NameSchema });
type Named = { name: string };

/** Registers the application routes. */
export function registerApplicationRoutes(app: FastifyInstance, apps: ApplicationManager): void {
  const accepted = { 202: OperationAcceptedSchema };
  app.post(
    '/v1/applications',
    {
      schema: {
        summary: 'create an application (CreateApplication)',
        body: CreateApplicationRequestSchema,
        response: { 201: ApplicationDescriptionSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(apps.create(request.body as CreateApplicationRequest, callerOf(request))),
  );
  app.get(
    '/v1/applications',
    { schema: { response: { 200: Type.Array(ApplicationDescriptionSchema) } } },
    async () => apps.list(),
  );
  app.get(
    '/v1/applications/:name',
    { schema: { params: NameParams, response: { 200: ApplicationDescriptionSchema } } },
    async (request) => apps.describe((request.params as Named).name),
  );
  app.patch(
    '/v1/applications/:name',
    {
      schema: {
        summary: 'update to a new version (UpdateApplication)',
        params: NameParams,
        body: UpdateApplicationRequestSchema,
        response: accepted,
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          apps.update(
            (request.params as Named).name,
            request.body as UpdateApplicationRequest,
            callerOf(request),
          ),
        ),
  );
  app.delete(
    '/v1/applications/:name',
    { schema: { params: NameParams, response: accepted } },
    async (request, reply) =>
      reply.status(202).send(apps.delete((request.params as Named).name, callerOf(request))),
  );
  app.post(
    '/v1/applications/:name/start',
    {
      schema: {
        summary: 'start (StartApplication with its restore configuration)',
        params: NameParams,
        body: Type.Optional(StartApplicationRequestSchema),
        response: accepted,
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          apps.start(
            (request.params as Named).name,
            (request.body ?? {}) as StartApplicationRequest,
            callerOf(request),
          ),
        ),
  );
  app.post(
    '/v1/applications/:name/stop',
    {
      schema: {
        summary: 'stop, by default with a snapshot (StopApplication)',
        params: NameParams,
        body: Type.Optional(StopApplicationRequestSchema),
        response: accepted,
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          apps.stop(
            (request.params as Named).name,
            (request.body ?? {}) as StopApplicationRequest,
            callerOf(request),
          ),
        ),
  );
  app.post(
    '/v1/applications/:name/rollback',
    {
      schema: {
        summary: 'roll back one version (RollbackApplication)',
        params: NameParams,
        response: accepted,
      },
    },
    async (request, reply) =>
      reply.status(202).send(apps.rollback((request.params as Named).name, callerOf(request))),
  );
  app.get(
    '/v1/applications/:name/versions',
    { schema: { params: NameParams, response: { 200: Type.Array(ApplicationVersionSchema) } } },
    async (request) => apps.versions((request.params as Named).name),
  );
  const streams = new Set<() => void>();
  // Event streams end with the server: an open one would otherwise hold its close.
  app.addHook('preClose', (done) => {
    for (const end of streams) end();
    done();
  });
  app.get(
    '/v1/applications/:name/logs',
    {
      schema: {
        summary:
          'the last lines of the log; with follow=true, then new lines as server-sent events',
        params: NameParams,
        querystring: Type.Object(
          {
            tail: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,4})$' })),
            follow: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const file = apps.logFile((request.params as Named).name);
      const query = request.query as { tail?: string; follow?: string };
      const follow = query.follow === 'true';
      const tail = Number(query.tail ?? (follow ? 10 : 200));
      const { lines, size } = await readTail(file, tail);
      if (!follow)
        return reply.type('text/plain; charset=utf-8').send(lines.map((l) => `${l}\n`).join(''));
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (batch: readonly string[]) => {
        if (batch.length > 0) raw.write(batch.map((l) => `data: ${l}\n\n`).join(''));
      };
      raw.write(': following the application log\n\n');
      send(lines);
      const follower = new LogFollower(file, send, { from: size });
      const keepalive = setInterval(() => raw.write(': keepalive\n\n'), 15_000);
      const end = () => {
        follower.stop();
        clearInterval(keepalive);
        streams.delete(end);
        if (!raw.writableEnded) raw.end();
      };
      streams.add(end);
      raw.once('close', end);
    },
  );
}

/** The last `count` lines of `file` (at most its last 4 MiB), and the size they end at. */
async function readTail(file: string, count: number): Promise<{ lines: string[]; size: number }> {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (size === 0 || count === 0) return { lines: [], size };
  const length = Math.min(size, 4 * 1024 * 1024);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    // A partial last line is left for the follower, which starts after the last newline.
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) return { lines: [], size: size - length };
    return {
      lines: buffer.toString('utf8', 0, end).split('\n').slice(-count),
      size: size - length + end + 1,
    };
  } finally {
    await handle.close();
  }
}
