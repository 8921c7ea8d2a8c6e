/**
 * A minimal HTTP endpoint for Prometheus scrapes (`GET /metrics`). It is a few lines of
 * node:http on purpose: the control plane's REST API (fastify) arrives with `eddy server`; a job
 * run locally should not pay for it.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import { EddyError } from '../errors/eddy-error.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts serving `exporter` on `host:port` (port 0 picks a free one). */
export async function startMetricsServer(
  exporter: PrometheusExporter,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: metrics are at GET /metrics\n');
      return;
    }
    exporter.render().then(
      (text) => res.writeHead(200, { 'content-type': exporter.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new EddyError(`cannot serve metrics on ${host}:${port}: ${e.message}`, {
          code: 'IO_ERROR',
          domain: 'user',
          cause: e,
          hint:
            e.code === 'EADDRINUSE'
              ? `port ${port} is taken; pick another with --metrics-port`
              : undefined,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  server.unref();
  return {
    url: `http://${host}:${actualPort}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
