/**
 * An HTTP proxy in front of a real S3 server that injects failures: throttling (503 SlowDown),
 * server errors, connection resets, answers lost after the server acted. Requests go through
 * unchanged (Host header included, so signatures still verify), except those the test's rule
 * picks.
 *
 * @module
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request. */
export type Fault =
  /** Answer with this status and S3 error code instead of forwarding. */
  | { readonly status: number; readonly code: string }
  /** Close the connection without an answer, without forwarding. */
  | 'reset'
  /** Forward it, let the server act, then close the connection instead of answering. */
  | 'lose-answer'
  /** Forward it after this many milliseconds (a slow request the client is still waiting for). */
  | { readonly delayMs: number };

/** A request as the rule sees it. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** 1 for the first request the proxy received. */
  readonly index: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as the S3 endpoint. */
  readonly endpoint: string;
  /** Every request received, in order, with the fault applied (if any). */
  readonly seen: { readonly request: ProxiedRequest; readonly fault: Fault | undefined }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a proxy to `target` (an `http://host:port` URL) applying `rule` to each request. */
export async function startFaultProxy(
  target: string,
  rule: (request: ProxiedRequest) => Fault | undefined,
): Promise<FaultProxy> {
  const to = new URL(target);
  const seen: FaultProxy['seen'] = [];
  let index = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      // The whole body first, so a fault never races the client's upload.
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const proxied: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        index: ++index,
      };
      const fault = rule(proxied);
      seen.push({ request: proxied, fault });
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (typeof fault === 'object' && 'delayMs' in fault) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      } else if (fault !== undefined && fault !== 'lose-answer') {
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code>` +
            `<Message>injected by the test</Message><RequestId>fault-${proxied.index}</RequestId></Error>`,
        );
        return;
      }
      const upstream = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            if (fault === 'lose-answer') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
