/**
 * The running job of an application, as the dashboard draws it: `GET …/job` (plan, per-vertex
 * and per-subtask metrics, watermarks, backpressure, checkpoints, exceptions, Kafka lag),
 * `GET …/job/history` (what the server sampled over the last hour) and
 * `POST …/job/flamegraph` (samples one subtask's thread and answers a `.cpuprofile`).
 *
 * @module
 */
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { EddyError } from '../../errors/eddy-error.ts';
import { NameSchema } from '../../protocol/common.ts';
import {
  FlameGraphRequestSchema,
  JobHistorySchema,
  JobViewSchema,
  type FlameGraphRequest,
} from '../../protocol/job-view.ts';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';
import { buildJobView } from '../metrics/job-view-builder.ts';
import type { MetricsHistory } from '../metrics/metrics-history.ts';

const NameParams = Type.Object({ name: NameSchema });

/**
 * The job view and history are built by the server from typed data, so they skip the schema
 * serializer (kept for the OpenAPI document): its per-element check of `number | null` unions
 * costs ~100 ms for an hour of history, where JSON.stringify takes a few.
 */
const plainJson = (payload: unknown): string => JSON.stringify(payload);
type Named = { name: string };

/** A V8 CPU profile (Chrome DevTools' `.cpuprofile`), passed through as V8 wrote it. */
const CpuProfileSchema = Type.Object(
  {
    nodes: Type.Array(Type.Unknown()),
    startTime: Type.Number(),
    endTime: Type.Number(),
    samples: Type.Optional(Type.Array(Type.Number())),
    timeDeltas: Type.Optional(Type.Array(Type.Number())),
  },
  { additionalProperties: true },
);

/** Registers the job routes. */
export function registerJobRoutes(
  app: FastifyInstance,
  apps: ApplicationManager,
  history: MetricsHistory,
): void {
  app.get(
    '/v1/applications/:name/job',
    {
      schema: {
        summary: "the job's plan, metrics, watermarks, backpressure, checkpoints, exceptions, lag",
        params: NameParams,
        response: { 200: JobViewSchema },
      },
    },
    async (request, reply) => {
      const { name } = request.params as Named;
      const described = apps.describe(name);
      const status = await apps.job(name);
      return reply
        .serializer(plainJson)
        .send(buildJobView(name, described.status, status, Date.now()));
    },
  );
  app.get(
    '/v1/applications/:name/job/history',
    {
      schema: {
        summary: 'metrics the server sampled over the last hour (throughput, lag, busy time …)',
        params: NameParams,
        response: { 200: JobHistorySchema },
      },
    },
    async (request, reply) => {
      const { name } = request.params as Named;
      apps.describe(name);
      return reply.serializer(plainJson).send(history.history(name));
    },
  );
  app.post(
    '/v1/applications/:name/job/flamegraph',
    {
      // Sampling reads the job and changes nothing: a viewer may ask for it.
      config: { role: 'viewer' },
      schema: {
        summary: "samples one subtask's thread with V8's CPU profiler; answers a .cpuprofile",
        params: NameParams,
        body: FlameGraphRequestSchema,
        response: { 200: CpuProfileSchema },
      },
    },
    async (request) => {
      const { name } = request.params as Named;
      const body = request.body as FlameGraphRequest;
      const described = apps.describe(name);
      const view = buildJobView(name, described.status, await apps.job(name), Date.now());
      if (view.state !== 'RUNNING') {
        throw new EddyError(`application ${name} has no running job (${view.state})`, {
          code: 'CONFLICT',
          domain: 'user',
          hint: 'start the application, then ask for a flame graph',
        });
      }
      const vertex = view.vertices.find((v) => v.id === body.vertex);
      if (vertex === undefined) {
        throw new EddyError(`the job has no vertex ${body.vertex}`, {
          code: 'NOT_FOUND',
          domain: 'user',
          hint: `vertices: ${view.vertices.map((v) => `${v.id} (${v.name})`).join(', ')}`,
        });
      }
      if (body.subtask >= vertex.parallelism) {
        throw new EddyError(
          `vertex ${vertex.id} (${vertex.name}) has ${vertex.parallelism} subtask(s); there is no subtask ${body.subtask}`,
          { code: 'NOT_FOUND', domain: 'user', hint: `pick 0 … ${vertex.parallelism - 1}` },
        );
      }
      return apps.profile(name, body.subtask, body.durationMs ?? 5000, body.intervalUs ?? 1000);
    },
  );
}
