/**
 * A real `eddy server` process for the dashboard's end-to-end tests: the platform tests' server
 * (`platform-server.ts`) in a scratch directory, plus what those tests do with it — add a token of
 * a role, deploy an example as an application — all over the HTTP API.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenRole } from '../../src/protocol/token.ts';
import {
  PLATFORM_TOKEN,
  REPO_ROOT,
  packageJob,
  startPlatformServer,
  type Answer,
  type Json,
  type PlatformServer,
} from './platform-server.ts';

/** An answer of the API (JSON read loosely: the server checks the schemas). */
export type ApiAnswer = Answer;

/** A running server. */
export class EddyServer {
  private constructor(
    private readonly server: PlatformServer,
    private readonly scratch: string,
  ) {}

  /** Starts a server; `env` adds environment variables (e.g. EDDY_METRICS_STEP_MS). */
  static async start(env: Record<string, string> = {}): Promise<EddyServer> {
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-server-e2e-'));
    try {
      return new EddyServer(
        await startPlatformServer({ dataDir: join(scratch, 'data'), env }),
        scratch,
      );
    } catch (e) {
      rmSync(scratch, { recursive: true, force: true });
      throw e;
    }
  }

  /** The server's base URL. */
  get url(): string {
    return this.server.url;
  }

  /** The admin token the server was started with. */
  get adminToken(): string {
    return PLATFORM_TOKEN;
  }

  /** Creates a token with `role` (`POST /v1/tokens`); resolves with its value. */
  async addToken(role: TokenRole): Promise<string> {
    const r = await this.call('POST', '/v1/tokens', { name: `${role}-token`, role });
    if (r.status !== 201) throw new Error(`token ${role}: ${r.status} ${r.text}`);
    return r.json.token as string;
  }

  /** Calls the API (with the admin token unless `token` says otherwise; `null` sends none). */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiAnswer> {
    return this.server.call(method, path, body, token);
  }

  /** Packages `jobFile` (repository-relative) and uploads it; resolves with the artifact id. */
  upload(jobFile: string): Promise<string> {
    const out = join(this.scratch, `${randomUUID()}.eddy`);
    return this.server.upload(packageJob(join(REPO_ROOT, jobFile), out));
  }

  /** Waits for operation `id` to end; resolves with it. */
  operationEnds(id: string, timeoutMs?: number): Promise<Json> {
    return this.server.operationEnds(id, timeoutMs);
  }

  /** Creates application `name` from `jobFile` with `config` and starts it; waits for RUNNING. */
  async deploy(name: string, jobFile: string, config: unknown): Promise<void> {
    await this.server.create(name, await this.upload(jobFile), config);
    await this.server.startApp(name);
  }

  /** What the server printed. */
  get log(): string {
    return this.server.output();
  }

  /** Stops the server (and its applications) and removes the data directory. */
  async close(): Promise<void> {
    await this.server.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
