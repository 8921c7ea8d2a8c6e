/**
 * A real PostgreSQL server for integration tests.
 *
 * {@link ensurePostgres} starts the server of `scripts/postgres.mjs` (once per machine: the
 * script's lock file makes concurrent starts from parallel test files safe; it installs
 * Debian's package when missing and running as root) and returns its connection string, or —
 * outside CI, when it cannot be started — a reason to skip. In CI (`CI=true`) a server that
 * cannot be started fails the tests loudly. `EDDY_POSTGRES_URL` points the tests at an existing
 * server instead.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runNodeScript } from './run-script.ts';

/** A running server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
}

/** Why PostgreSQL tests are skipped here. */
export interface PostgresSkip {
  readonly skip: string;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/postgres.mjs', import.meta.url));

/** Runs `node scripts/postgres.mjs <command>`; rejects with its output when it fails. */
export function runPostgresScript(
  command: 'start' | 'stop' | 'restart' | 'status',
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  return runNodeScript(SCRIPT, command, env, 15 * 60_000);
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function start(): Promise<PostgresServer | PostgresSkip> {
  const external = process.env['EDDY_POSTGRES_URL'];
  if (external !== undefined && external !== '') return { url: external };
  try {
    await runPostgresScript('start');
  } catch (e) {
    if (process.env['CI'] === 'true') throw e;
    return {
      skip: `PostgreSQL tests need a server: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`,
    };
  }
  return { url: urlFor(Number(process.env['EDDY_POSTGRES_PORT'] || 39432)) };
}

let started: Promise<PostgresServer | PostgresSkip> | undefined;

/**
 * Makes sure a server runs and returns its connection string (or a skip reason outside CI).
 * Idempotent; the server is left running for other test files (`node scripts/postgres.mjs stop`).
 */
export function ensurePostgres(): Promise<PostgresServer | PostgresSkip> {
  started ??= start();
  return started;
}

/** A server of its own for one test file, which it may restart without disturbing others. */
export interface PrivatePostgresServer extends PostgresServer {
  /** Stops the server (`pg_ctl stop -m fast`) and starts it again, keeping its data. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Starts a second server on `port` with its data in `dataDir` (for restart tests). */
export async function startPrivatePostgres(
  port: number,
  dataDir: string,
): Promise<PrivatePostgresServer | PostgresSkip> {
  const env = { EDDY_POSTGRES_PORT: String(port), EDDY_POSTGRES_DATA: dataDir };
  try {
    await runPostgresScript('start', env);
  } catch (e) {
    if (process.env['CI'] === 'true') throw e;
    return { skip: `PostgreSQL tests need a server: ${(e as Error).message.split('\n')[0]}` };
  }
  return {
    url: urlFor(port),
    restart: async () => {
      await runPostgresScript('restart', env);
    },
    stop: async () => {
      await runPostgresScript('stop', env);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a connected client that is closed afterwards. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement and returns its rows. */
export function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (c) => (await c.query<R>(sql, [...params])).rows);
}

let counter = 0;

/** A lower-case name unique to this process and call, usable as a table name. */
export function uniqueTable(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}
