/**
 * The server's port, bound before the HTTP API is loaded: a client that calls while the server
 * starts gets `503` with `Retry-After` and the API's error body (code UNAVAILABLE), not
 * ECONNREFUSED; once the API is ready every request goes to it. While the server recovers its
 * applications, a request that changes something waits for the recovery to end (reads are
 * served at once): it then works as it would have later, and only a recovery longer than
 * `holdMs` answers 503 naming it.
 *
 * Only `node:http` is loaded here: fastify, its schemas and TypeBox (1–4 s to import and compile
 * on a loaded machine) come after the port is open.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Handles one request (fastify's handler, from its `serverFactory`). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** How long a changing request waits for a recovery before it answers 503 (default 30 s). */
const DEFAULT_HOLD_MS = 30_000;

/** The port of a starting server. */
export class StartingPort {
  /** The node:http server (fastify's `serverFactory` returns it). */
  readonly server: Server;
  private handler: RequestHandler | undefined;
  private open = false;
  private recovering: Promise<void> | undefined;

  private constructor(private readonly holdMs: number) {
    this.server = createServer((req, res) => this.dispatch(req, res));
    // Fastify's defaults for the servers it creates (this one replaces such a server): Node's
    // 5 s keep-alive closes idle connections a client may be reusing at that very moment (a
    // POST on it then fails), and Node's 300 s request timeout would cut long artifact uploads.
    this.server.keepAliveTimeout = 72_000;
    this.server.requestTimeout = 0;
  }

  /** Binds `host:port`; rejects as `listen` does (EADDRINUSE …). */
  static async open(host: string, port: number, holdMs = DEFAULT_HOLD_MS): Promise<StartingPort> {
    const p = new StartingPort(holdMs);
    await new Promise<void>((resolve, reject) => {
      p.server.once('error', reject);
      p.server.listen(port, host, () => {
        p.server.off('error', reject);
        resolve();
      });
    });
    return p;
  }

  /** `http://host:port` of the bound port. */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** The handler requests go to once {@link StartingPort.ready} is called. */
  serve(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** From now on, requests go to the handler. */
  ready(): void {
    this.open = true;
  }

  /** Holds changing requests until `recovery` settles. */
  holdChangesDuring(recovery: Promise<unknown>): void {
    const settled = recovery.then(
      () => {},
      () => {},
    );
    this.recovering = settled;
    void settled.then(() => {
      if (this.recovering === settled) this.recovering = undefined;
    });
  }

  /** Stops accepting connections and ends the open ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const handler = this.handler;
    if (handler === undefined || !this.open) {
      unavailable(res, 1, 'eddy server is starting: its API is not loaded yet');
      return;
    }
    const recovering = this.recovering;
    if (recovering === undefined || req.method === 'GET' || req.method === 'HEAD') {
      handler(req, res);
      return;
    }
    // The request's body stays unread (paused) meanwhile; fastify reads it afterwards.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.holdMs);
    });
    void Promise.race([recovering.then(() => false), timedOut]).then((late) => {
      clearTimeout(timer);
      if (late)
        unavailable(
          res,
          5,
          'eddy server is recovering its applications after a restart; changes wait until it is done',
        );
      else handler(req, res);
    });
  }
}

function unavailable(res: ServerResponse, retryAfterS: number, message: string): void {
  const body = JSON.stringify({
    error: { code: 'UNAVAILABLE', message, hint: `retry after ${retryAfterS} s` },
  });
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': String(retryAfterS),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
