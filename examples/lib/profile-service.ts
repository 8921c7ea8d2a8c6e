/**
 * A small user-profile HTTP service for the enrichment example, its test and the async I/O
 * benchmark: a real `node:http` server on 127.0.0.1 (port 0: the OS picks one) with injected
 * latency and failures.
 *
 * `GET /users/:id` → 200 `{"id","country","plan"}` | 404 for unknown users | 503 on an injected
 * failure. Users named `flaky-*` fail their first request; `broken-*` always fail;
 * `slow-*` answer after `slowLatencyMs`; everyone else after `latencyMs`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A user profile. */
export interface Profile {
  readonly id: string;
  readonly country: string;
  readonly plan: 'free' | 'pro';
}

/** Settings of the service. */
export interface ProfileServiceOptions {
  /** Latency of every answer, ms (default 5). */
  readonly latencyMs?: number;
  /** Latency of `slow-*` users, ms (default 2000). */
  readonly slowLatencyMs?: number;
  /** Known users (default: any id is known; country and plan derive from it). */
  readonly profiles?: ReadonlyMap<string, Profile>;
}

/** A running service. */
export interface ProfileService {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** Requests received so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

const COUNTRIES = ['FR', 'JP', 'BR', 'US', 'IN', 'DE'] as const;

/** The profile any id gets when no table is given (deterministic). */
export function syntheticProfile(id: string): Profile {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return {
    id,
    country: COUNTRIES[h % COUNTRIES.length] as string,
    plan: h % 3 === 0 ? 'pro' : 'free',
  };
}

/** Starts the service on 127.0.0.1 and an OS-chosen port. */
export async function startProfileService(
  options: ProfileServiceOptions = {},
): Promise<ProfileService> {
  const latency = options.latencyMs ?? 5;
  const slow = options.slowLatencyMs ?? 2000;
  const seen = new Set<string>();
  let requests = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const m = /^\/users\/([^/?]+)$/.exec(req.url ?? '');
    const id = m?.[1] !== undefined ? decodeURIComponent(m[1]) : undefined;
    const reply = () => {
      if (id === undefined) return send(res, 404, { error: 'not found' });
      if (id.startsWith('broken-')) return send(res, 503, { error: 'injected failure' });
      if (id.startsWith('flaky-') && !seen.has(id)) {
        seen.add(id);
        return send(res, 503, { error: 'injected failure (first request)' });
      }
      const profile =
        options.profiles !== undefined ? options.profiles.get(id) : syntheticProfile(id);
      if (profile === undefined) return send(res, 404, { error: 'no such user' });
      send(res, 200, profile);
    };
    const delay = id?.startsWith('slow-') === true ? slow : latency;
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  };
  const server: Server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
