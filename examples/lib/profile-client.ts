/**
 * A minimal keep-alive JSON client for the profile service (node:http, pooled sockets): the
 * lookup function of the enrichment example and the benchmark.
 */
import { Agent, request } from 'node:http';
import type { Profile } from './profile-service.ts';

/** An HTTP error with its status (5xx are worth retrying). */
export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** Fetches profiles from a profile service. */
export class ProfileClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 100) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** The profile of `id`; undefined when the service does not know the user (404). */
  getProfile(id: string): Promise<Profile | undefined> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path: `/users/${encodeURIComponent(id)}`,
          agent: this.agent,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 404) resolve(undefined);
            else if (status !== 200) reject(new HttpError(status));
            else {
              try {
                resolve(JSON.parse(body) as Profile);
              } catch (e) {
                reject(e instanceof Error ? e : new Error(String(e)));
              }
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
