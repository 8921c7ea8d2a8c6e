/**
 * The web dashboard (web/, built by `npm run build` into dist/dashboard/) served at `/` on the
 * API's port, and `GET /v1/me` (who the token is: the dashboard shows actions to deployers and
 * admins only). The page and its assets are public; every number on it comes from the API with
 * the token the user gives it.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { CallerSchema } from '../../protocol/job-view.ts';

/** Where `npm run build` puts the dashboard (the same path from src/ and from dist/). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Eddy</title>
<link rel="icon" href="data:,"></head><body style="font-family:sans-serif;margin:2rem">
<h1>Eddy</h1><p>The dashboard is not built. Run <code>npm run build</code> (or <code>npm start</code>)
in the Eddy checkout, then reload. The API is at <a href="v1/openapi.json">/v1/openapi.json</a>.</p>
</body></html>`;

/** Registers the dashboard and `/v1/me`. */
export async function registerDashboardRoutes(
  app: FastifyInstance,
  dir: string = DASHBOARD_DIR,
): Promise<void> {
  app.get(
    '/v1/me',
    { schema: { summary: 'who the token belongs to', response: { 200: CallerSchema } } },
    async (request) => ({ name: request.token?.name ?? 'anonymous', role: request.token!.role }),
  );
  const built = existsSync(`${dir}/index.html`);
  if (built) await app.register(fastifyStatic, { root: dir, serve: false });
  const index = { config: { role: 'public' as const }, schema: { hide: true } };
  app.get('/', index, async (_request, reply) =>
    built
      ? reply.header('cache-control', 'no-cache').sendFile('index.html')
      : reply.type('text/html; charset=utf-8').status(503).send(NOT_BUILT),
  );
  app.get('/assets/*', index, async (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    if (!built || !/^[A-Za-z0-9._-]+$/.test(file)) {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } });
    }
    // Vite names assets by content hash: they never change under one name.
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(`assets/${file}`);
  });
}
