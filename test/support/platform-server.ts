/**
 * `eddy server` as a child process for the platform tests: a real server on a free port with its
 * own data directory, driven over HTTP. Packages job files into artifacts, uploads them, polls
 * operations and statuses with deadlines (never fixed sleeps), and kills the server (SIGKILL) or
 * stops it (SIGTERM) to start it again on the same data directory.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.ts';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eddyBin = join(REPO_ROOT, 'bin/eddy.js');

/** The admin token the test servers are started with (`EDDY_TOKEN`). */
export const PLATFORM_TOKEN = 'eddy_test_admin_token';

/** A JSON answer, read loosely: the tests check fields, the server checks its schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  readonly json: Json;
  /** The body as text. */
  readonly text: string;
}

/** How to start a test server. */
export interface PlatformServerOptions {
  readonly dataDir: string;
  /** Extra `eddy server` flags (`--capacity-units 4` …). */
  readonly flags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Deadline for "listening" (default 180 s: a loaded machine imports the server slowly). */
  readonly startTimeoutMs?: number;
}

/** A running test server. */
export interface PlatformServer {
  readonly url: string;
  readonly child: ChildProcess;
  readonly options: PlatformServerOptions;
  /** Everything the server printed so far. */
  output(): string;
  /** An HTTP call with the admin token (`token: null` sends none). */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  /** Uploads an artifact file; returns its id. */
  upload(file: string): Promise<string>;
  /** Waits until the operation is no longer IN_PROGRESS; returns it. */
  operationEnds(id: string, timeoutMs?: number): Promise<Json>;
  /** `GET /v1/applications/{name}`. */
  describe(name: string): Promise<Json>;
  /** Waits until the application's status is `status` (one of them); returns its description. */
  waitForStatus(
    name: string,
    status: string | readonly string[],
    timeoutMs?: number,
  ): Promise<Json>;
  /** Creates an application (asserts 201). */
  create(name: string, artifactId: string, config?: unknown): Promise<Json>;
  /** Starts an application and waits for the start operation (asserts it succeeded). */
  startApp(name: string, restore?: unknown): Promise<Json>;
  /** SIGKILL; resolves when the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful shutdown); resolves when the process has exited. */
  stop(): Promise<void>;
}

/**
 * Packages `jobFile` (repository-relative or absolute) into `out` with `eddy package`; `props`
 * are the runtime properties the job needs while it builds its plan (`group.key=value`).
 */
export function packageJob(jobFile: string, out: string, props: readonly string[] = []): string {
  const args = [eddyBin, 'package', jobFile, '-o', out, '-q'];
  for (const p of props) args.push('--prop', p);
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `eddy package ${jobFile} failed:\n${r.stderr}${r.stdout}`);
  return out;
}

/** Starts `eddy server` on a free port; resolves when it listens. */
export async function startPlatformServer(o: PlatformServerOptions): Promise<PlatformServer> {
  const child = spawn(
    process.execPath,
    [eddyBin, 'server', '--data-dir', o.dataDir, '--port', '0', ...(o.flags ?? [])],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, EDDY_TOKEN: PLATFORM_TOKEN, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`eddy server exited:\n${out}`);
      return /listening on (http\S+)/.exec(out)?.[1];
    },
    { timeoutMs: o.startTimeoutMs ?? 180_000, intervalMs: 50, message: 'eddy server to listen' },
  ).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = PLATFORM_TOKEN,
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let payload: string | Uint8Array | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const r = await fetch(url + path, {
      method,
      headers,
      ...(payload !== undefined && { body: payload }),
    });
    const text = await r.text();
    let json: Json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined; // a text answer (logs)
    }
    return { status: r.status, json, text };
  };

  const describe = async (name: string): Promise<Json> => {
    const r = await call('GET', `/v1/applications/${name}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  };

  const server: PlatformServer = {
    url,
    child,
    options: o,
    output: () => out,
    call,
    upload: async (file) => {
      const r = await call('POST', '/v1/artifacts', new Uint8Array(readFileSync(file)));
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json.id as string;
    },
    operationEnds: (id, timeoutMs = 120_000) =>
      waitFor(
        async () => {
          const op = (await call('GET', `/v1/operations/${id}`)).json;
          return op.status === 'IN_PROGRESS' ? undefined : op;
        },
        { timeoutMs, intervalMs: 100, message: `operation ${id} to end` },
      ),
    describe,
    waitForStatus: async (name, status, timeoutMs = 120_000) => {
      const wanted = typeof status === 'string' ? [status] : status;
      let last: Json;
      try {
        return await waitFor(
          async () => {
            last = await describe(name);
            return wanted.includes(last.status) ? last : undefined;
          },
          { timeoutMs, intervalMs: 100, message: `${name} to be ${wanted.join(' or ')}` },
        );
      } catch (e) {
        throw new Error(`${(e as Error).message}; last: ${JSON.stringify(last)}`);
      }
    },
    create: async (name, artifactId, config = {}) => {
      const r = await call('POST', '/v1/applications', { name, artifactId, config });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json;
    },
    startApp: async (name, restore = { mode: 'SKIP_RESTORE' }) => {
      const r = await call('POST', `/v1/applications/${name}/start`, { restore });
      assert.equal(r.status, 202, JSON.stringify(r.json));
      const op = await server.operationEnds(r.json.operationId);
      assert.equal(op.status, 'SUCCESSFUL', JSON.stringify(op));
      return op;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return server;
}
