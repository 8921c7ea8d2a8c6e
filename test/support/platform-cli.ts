/**
 * A real `eddy server` process for the platform tests: a fresh data directory, a free port, a
 * known admin token, and helpers to call its API, run the `eddy` CLI against it, and wait for
 * operations. Nothing is mocked: the server runs applications in real child processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The `eddy` command of this checkout. */
export const eddyBin = join(root, 'bin/eddy.js');

// Answers are read loosely: tests check fields; the server checks its answers against schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly json: Json;
  readonly text: string;
}

/** What an `eddy` CLI run did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Polls `get` until it answers something other than undefined. */
export async function waitFor<T>(
  what: string,
  get: () => Promise<T | undefined> | T | undefined,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs `eddy <args>` (through this checkout's bin) and collects its output. */
export function eddy(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd = root,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [eddyBin, ...args], {
      cwd,
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

/** Packages `examples/<job>.ts` into `dir` and returns the artifact's path. */
export function packageExample(job: string, dir: string): string {
  const out = join(dir, `${job}.eddy`);
  const r = spawnSync(
    process.execPath,
    [eddyBin, 'package', join(root, 'examples', `${job}.ts`), '-o', out],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`eddy package ${job} failed:\n${r.stderr}`);
  return out;
}

/** A running test server. */
export class PlatformServer {
  /** `http://127.0.0.1:<port>`. */
  url = '';
  /** Everything the server printed. */
  output = '';
  private child: ChildProcess | undefined;

  /** The scratch directory (data directory at `data/`). */
  readonly scratch = mkdtempSync(join(tmpdir(), 'eddy-platform-'));
  readonly dataDir = join(this.scratch, 'data');

  constructor(
    readonly token = 'eddy_test_admin_token',
    private readonly extraArgs: readonly string[] = [],
  ) {}

  /** Starts the server and waits until it listens. */
  async start(): Promise<this> {
    this.output = '';
    const child = spawn(
      process.execPath,
      [eddyBin, 'server', '--data-dir', this.dataDir, '--port', '0', ...this.extraArgs],
      { env: { ...process.env, EDDY_TOKEN: this.token }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.url = await waitFor('the server to listen', () => {
      if (child.exitCode !== null) throw new Error(`eddy server exited:\n${this.output}`);
      return /listening on (http\S+)/.exec(this.output)?.[1];
    });
    return this;
  }

  /** Stops the server (SIGTERM) and removes its directory when `remove`. */
  async stop(remove = true): Promise<void> {
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (remove) rmSync(this.scratch, { recursive: true, force: true });
  }

  /** The environment that points the CLI at this server with `token`. */
  env(token: string = this.token): Record<string, string> {
    return { EDDY_SERVER: this.url, EDDY_TOKEN: token };
  }

  /** Runs the CLI against this server. */
  eddy(args: readonly string[], token: string = this.token): Promise<CliRun> {
    return eddy(args, this.env(token));
  }

  /** One API call; `body` is JSON unless it is bytes (sent as octet-stream) or a string. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.token,
  ): Promise<Answer> {
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
    const r = await fetch(this.url + path, {
      method,
      headers,
      ...(payload !== undefined && { body: payload }),
    });
    const text = await r.text();
    let json: Json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text };
  }

  /** The operation `id` once it ended. */
  operationEnds(id: string): Promise<Json> {
    return waitFor(`operation ${id}`, async () => {
      const op = (await this.call('GET', `/v1/operations/${id}`)).json;
      return op.status === 'IN_PROGRESS' ? undefined : op;
    });
  }
}
