/**
 * For the platform client tests: a test server (test/support/platform-server.ts) with its own
 * scratch directory, and the `eddy` CLI run against it as a user's shell would.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  packageJob,
  PLATFORM_TOKEN,
  REPO_ROOT,
  startPlatformServer,
  type Answer,
  type Json,
  type PlatformServer,
} from './platform-server.ts';
import { waitFor as poll } from './wait-for.ts';

export { REPO_ROOT as root, type Answer, type Json };

/** The `eddy` command of this checkout. */
export const eddyBin = join(REPO_ROOT, 'bin/eddy.js');

/** What an `eddy` CLI run did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Polls `get` until it answers something other than undefined (two minutes at most). */
export function waitFor<T>(
  what: string,
  get: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 120_000,
): Promise<T> {
  return poll(get, { timeoutMs, intervalMs: 200, message: what });
}

/** Runs `eddy <args>` (this checkout's bin) with `env` added, and collects its output. */
export function eddy(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [eddyBin, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Packages `examples/<job>.ts` into `dir`; returns the artifact's path. */
export function packageExample(job: string, dir: string): string {
  return packageJob(join('examples', `${job}.ts`), join(dir, `${job}.eddy`));
}

/** A test server with a scratch directory (its data directory is `data/` in it). */
export class ClientTestServer {
  /** The admin token. */
  readonly token = PLATFORM_TOKEN;
  readonly scratch = mkdtempSync(join(tmpdir(), 'eddy-platform-client-'));
  readonly dataDir = join(this.scratch, 'data');
  private server: PlatformServer | undefined;

  /** `flags`: extra `eddy server` flags. */
  constructor(private readonly flags: readonly string[] = []) {}

  /** Starts the server; resolves when it listens. */
  async start(): Promise<this> {
    this.server = await startPlatformServer({ dataDir: this.dataDir, flags: this.flags });
    return this;
  }

  private get running(): PlatformServer {
    if (this.server === undefined) throw new Error('the test server is not started');
    return this.server;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.running.url;
  }

  /** One API call with the admin token (`token: null` sends none). */
  call(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.token,
  ): Promise<Answer> {
    return this.running.call(method, path, body, token);
  }

  /** The operation `id` once it ended. */
  operationEnds(id: string): Promise<Json> {
    return this.running.operationEnds(id);
  }

  /** The environment that points the CLI at this server with `token`. */
  env(token: string = this.token): Record<string, string> {
    return { EDDY_SERVER: this.url, EDDY_TOKEN: token };
  }

  /** Runs the CLI against this server. */
  eddy(args: readonly string[], token: string = this.token): Promise<CliRun> {
    return eddy(args, this.env(token));
  }

  /** Stops the server (SIGTERM) and removes the scratch directory. */
  async stop(): Promise<void> {
    await this.server?.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
