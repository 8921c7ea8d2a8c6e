/**
 * A real `eddy server` process for end-to-end tests: a temp data directory, a free port, an
 * admin token, and helpers to upload an example as an artifact, create and start an application
 * and wait for its operations — all over the HTTP API.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerPaths } from '../../src/server/server-paths.ts';
import { openMetadataStore } from '../../src/server/store/metadata-store.ts';
import { TokenRepository, type Role } from '../../src/server/store/token-repository.ts';
import { waitFor } from './wait-for.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eddyBin = join(root, 'bin/eddy.js');

/** An answer of the API (JSON read loosely: the server checks the schemas). */
export interface ApiAnswer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/** A running server. */
export class EddyServer {
  private output = '';

  private constructor(
    readonly url: string,
    readonly adminToken: string,
    readonly dataDir: string,
    private readonly scratch: string,
    private readonly child: ChildProcess,
  ) {}

  /** Starts a server; `env` adds environment variables (e.g. EDDY_METRICS_STEP_MS). */
  static async start(env: Record<string, string> = {}): Promise<EddyServer> {
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-server-e2e-'));
    const dataDir = join(scratch, 'data');
    const adminToken = `eddy_admin_${randomUUID().replaceAll('-', '')}`;
    const child = spawn(
      process.execPath,
      [eddyBin, 'server', '--data-dir', dataDir, '--port', '0'],
      {
        env: { ...process.env, ...env, EDDY_TOKEN: adminToken },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const url = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`eddy server exited: ${out}`);
        return /listening on (http\S+)/.exec(out)?.[1];
      },
      { timeoutMs: 180_000, intervalMs: 100, message: 'eddy server to listen' },
    );
    const server = new EddyServer(url, adminToken, dataDir, scratch, child);
    child.stdout!.on('data', (c: Buffer) => (server.output += c.toString()));
    return server;
  }

  /** Adds a token with `role` straight to the metadata store (the API has no token route). */
  addToken(role: Role): string {
    const token = `eddy_${role}_${randomUUID().replaceAll('-', '')}`;
    const db = openMetadataStore(new ServerPaths(this.dataDir).database);
    try {
      new TokenRepository(db).insert(
        `tok-${role}-${token.slice(-6)}`,
        `${role}-token`,
        role,
        token,
        new Date().toISOString(),
      );
    } finally {
      db.close();
    }
    return token;
  }

  /** Calls the API. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.adminToken,
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let payload: string | Uint8Array | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const r = await fetch(this.url + path, {
      method,
      headers,
      ...(payload !== undefined && { body: payload }),
    });
    const text = await r.text();
    let json: unknown = text;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (the dashboard's HTML)
    }
    return { status: r.status, json };
  }

  /** Packages `jobFile` (repository-relative) and uploads it; resolves with the artifact id. */
  async upload(jobFile: string): Promise<string> {
    const out = join(this.scratch, `${randomUUID()}.eddy`);
    const packaged = spawnSync(
      process.execPath,
      [eddyBin, 'package', join(root, jobFile), '-o', out],
      {
        encoding: 'utf8',
      },
    );
    if (packaged.status !== 0) throw new Error(`eddy package ${jobFile}: ${packaged.stderr}`);
    const r = await this.call('POST', '/v1/artifacts', new Uint8Array(readFileSync(out)));
    if (r.status !== 201)
      throw new Error(`upload ${jobFile}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.id as string;
  }

  /** Waits for operation `id` to end; resolves with it. */
  async operationEnds(id: string, timeoutMs = 90_000): Promise<ApiAnswer['json']> {
    return waitFor(
      async () => {
        const op = (await this.call('GET', `/v1/operations/${id}`)).json;
        return op.status === 'IN_PROGRESS' ? undefined : op;
      },
      { timeoutMs, intervalMs: 200, message: `operation ${id}` },
    );
  }

  /** Creates application `name` from `jobFile` with `config` and starts it; waits for RUNNING. */
  async deploy(name: string, jobFile: string, config: unknown): Promise<void> {
    const artifactId = await this.upload(jobFile);
    const created = await this.call('POST', '/v1/applications', { name, artifactId, config });
    if (created.status !== 201) throw new Error(`create ${name}: ${JSON.stringify(created.json)}`);
    const start = await this.call('POST', `/v1/applications/${name}/start`, {
      restore: { mode: 'SKIP_RESTORE' },
    });
    const op = await this.operationEnds(start.json.operationId);
    if (op.status !== 'SUCCESSFUL') throw new Error(`start ${name}: ${JSON.stringify(op)}`);
  }

  /** What the server printed. */
  get log(): string {
    return this.output;
  }

  /** Stops the server (and its applications) and removes the data directory. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await new Promise((r) => this.child.once('exit', r));
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
