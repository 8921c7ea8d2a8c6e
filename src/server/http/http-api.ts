/**
 * The control plane's HTTP API: fastify with a JSON schema on every route (unknown fields are
 * refused, not stripped), bearer-token auth, one error shape, and the OpenAPI document generated
 * from the routes at `GET /v1/openapi.json`.
 *
 * @module
 */
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerFactory,
} from 'fastify';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { TokenRepository } from '../store/token-repository.ts';
import { registerApplicationRoutes } from './application-routes.ts';
import { registerArtifactRoutes } from './artifact-routes.ts';
import { registerBearerAuth } from './bearer-auth.ts';
import type { MetricsHistory } from '../metrics/metrics-history.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { body, handleHttpError } from './http-error.ts';
import { registerJobRoutes } from './job-routes.ts';
import { lazySchemaController } from './lazy-schema-compilers.ts';
import { registerOperationRoutes } from './operation-routes.ts';
import { registerSnapshotRoutes } from './snapshot-routes.ts';
import { registerTokenRoutes } from './token-routes.ts';
import { TokenAdmin } from '../tokens/token-admin.ts';

/** What the API serves. */
export interface HttpApiOptions {
  readonly applications: ApplicationManager;
  readonly artifacts: ArtifactStore;
  readonly tokens: TokenRepository;
  /** The metrics history the server samples (job-routes.ts). */
  readonly history: MetricsHistory;
  /** Largest JSON body (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Largest artifact upload (default DEFAULT_ARTIFACT_LIMITS.maxArtifactBytes, 256 MiB). */
  readonly maxArtifactBytes?: number;
  /**
   * The HTTP server to serve on, already bound (start-server.ts opens the port before this
   * module is even loaded); given `handler`, fastify's request handler, it returns the server.
   */
  readonly serverFactory?: FastifyServerFactory;
}

/** Builds the API (not listening yet). */
export async function buildHttpApi(o: HttpApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: o.bodyLimit ?? 1024 * 1024,
    // Refuse unknown fields rather than silently dropping them; never coerce a body's types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Each route's schemas compile on its first request, not before the server can answer.
    schemaController: lazySchemaController(),
    logger: false,
    ...(o.serverFactory !== undefined && { serverFactory: o.serverFactory }),
    // Errors fastify raises before routing (a path parameter over 100 characters, a malformed
    // URL) get the API's one error body too, not fastify's own shape (found by the fuzzing of
    // issue #17).
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      // The reply of a request no route matched: no route's reply types apply.
      void (reply as unknown as FastifyReply)
        .status(tooLong ? 414 : 400)
        .send(
          body(
            tooLong ? 'TOO_LARGE' : 'BAD_REQUEST',
            tooLong ? 'a path parameter is longer than 100 characters' : error.message,
          ),
        );
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Eddy control plane', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  app.setErrorHandler(handleHttpError);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        body(
          'NOT_FOUND',
          `no route ${request.method} ${request.url.split('?')[0]}`,
          'GET /v1/openapi.json lists the routes',
        ),
      );
  });
  registerBearerAuth(app, o.tokens);
  app.get('/v1/openapi.json', { config: { role: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  app.get('/v1/health', { config: { role: 'public' }, schema: { hide: true } }, async () => ({
    ok: true,
  }));
  registerArtifactRoutes(app, o.artifacts, o.maxArtifactBytes);
  registerApplicationRoutes(app, o.applications);
  registerSnapshotRoutes(app, o.applications);
  registerOperationRoutes(app, o.applications);
  registerTokenRoutes(app, new TokenAdmin(o.tokens));
  registerJobRoutes(app, o.applications, o.history);
  await registerDashboardRoutes(app);
  return app;
}
