/**
 * How the PostgreSQL connectors reach the database: a connection string or `pg`'s client
 * settings, turned into clients whose errors never crash the process.
 *
 * @module
 */
import pg from 'pg';

/** A `postgres://user:password@host:port/database` string, or `pg`'s client settings. */
export type PostgresConnectionOptions = string | pg.ClientConfig;

/** `pg` client settings from {@link PostgresConnectionOptions}, with an application name. */
export function clientConfig(
  options: PostgresConnectionOptions,
  applicationName: string,
): pg.ClientConfig {
  const base: pg.ClientConfig =
    typeof options === 'string' ? { connectionString: options } : { ...options };
  // Shown in pg_stat_activity: which sink subtask holds which connection.
  return { application_name: applicationName.slice(0, 63), ...base };
}

/**
 * A connected client. A connection error that arrives while no query runs (the server went
 * away) is handed to `onError` instead of becoming an unhandled 'error' event.
 */
export async function connectClient(
  options: PostgresConnectionOptions,
  applicationName: string,
  onError: (e: unknown) => void,
): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(options, applicationName));
  client.on('error', onError);
  await client.connect();
  return client;
}

/** The connection settings as plain data for the plan, without the password. */
export function describeConnection(options: PostgresConnectionOptions): string {
  if (typeof options === 'string') {
    try {
      const url = new URL(options);
      if (url.password !== '') url.password = '***';
      return url.toString();
    } catch {
      return '(connection string)';
    }
  }
  const { host, port, database, user } = options;
  return `postgres://${user ?? ''}@${host ?? 'localhost'}:${port ?? 5432}/${database ?? ''}`;
}

/** `name` quoted as an SQL identifier; `schema.table` becomes `"schema"."table"`. */
export function quoteQualified(name: string): string {
  return name
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
}
