/**
 * `PostgresLookupSource`: the rows of a PostgreSQL table by key, for `LookupJoin.async` —
 * a connection pool per thread, and the keys asked for in the same turn of the event loop
 * fetched together in one `WHERE key = ANY($1)` query; `LookupJoin`'s cache keeps the answers.
 *
 * @module
 */
import pg from 'pg';
import { userError } from '../../errors/eddy-error.ts';
import {
  clientConfig,
  quoteQualified,
  type PostgresConnectionOptions,
} from './postgres-connection.ts';
import { postgresEddyError } from './postgres-eddy-error.ts';

/** The settings of a {@link PostgresLookupSource}. */
export interface PostgresLookupOptions {
  /** A `postgres://…` string or `pg`'s client settings. */
  readonly connection: PostgresConnectionOptions;
  /** The table (`table` or `schema.table`). */
  readonly table: string;
  /** The column to look keys up in (unique, or the first row found is taken). */
  readonly keyColumn: string;
  /** The columns to return (default all: `*`). */
  readonly columns?: readonly string[];
  /** Connections per thread (default 4). */
  readonly maxConnections?: number;
  /** Keys per query at most (default 500). */
  readonly maxKeysPerQuery?: number;
  /** The name in errors (default `PostgresLookup`). */
  readonly name?: string;
}

/** A key waiting for its row. */
interface PendingKey<V> {
  readonly resolve: (row: V | undefined) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Looks rows up by key in a PostgreSQL table; pass {@link PostgresLookupSource.lookup} to
 * `LookupJoin.async`. A key without a row resolves to `undefined`.
 *
 * @example
 * ```ts
 * const profiles = new PostgresLookupSource<Profile>({
 *   connection: 'postgres://eddy@localhost:5432/shop',
 *   table: 'profiles',
 *   keyColumn: 'user_id',
 * });
 * const enriched = LookupJoin.async(clicks, {
 *   key: (click) => click.userId,
 *   lookup: profiles.lookup,
 *   join: (click, profile) => ({ ...click, country: profile?.country ?? 'unknown' }),
 *   cache: { maxSize: 10_000, ttl: '1m' },
 * });
 * ```
 */
export class PostgresLookupSource<V = Record<string, unknown>> {
  private pool: pg.Pool | undefined;
  private pending = new Map<string, PendingKey<V>[]>();
  private scheduled = false;
  private readonly sql: string;
  private readonly keyField: string;
  private readonly maxKeys: number;
  private readonly name: string;
  /** Queries sent (each for up to `maxKeysPerQuery` keys). */
  queries = 0;

  constructor(private readonly options: PostgresLookupOptions) {
    this.name = options.name ?? 'PostgresLookup';
    const fail = (message: string, hint: string) =>
      userError('INVALID_ARGUMENT', message, { operator: { name: this.name }, hint });
    if (options.table === '' || options.keyColumn === '') {
      throw fail(
        'PostgresLookupSource needs a table and a key column',
        "pass { table: 'profiles', keyColumn: 'user_id' }",
      );
    }
    this.maxKeys = options.maxKeysPerQuery ?? 500;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) {
      throw fail(`maxKeysPerQuery ${this.maxKeys} must be a positive integer`, 'e.g. 500');
    }
    const key = pg.escapeIdentifier(options.keyColumn);
    const columns =
      options.columns === undefined
        ? '*'
        : options.columns.map((c) => pg.escapeIdentifier(c)).join(', ');
    // The key comes back under a name of its own, whatever the selected columns are.
    this.keyField = '__eddy_lookup_key';
    this.sql = `SELECT ${key}::text AS ${this.keyField}, ${columns} FROM ${quoteQualified(options.table)} WHERE ${key}::text = ANY($1::text[])`;
  }

  /** The row of `key`, or `undefined` when the table has none. Bound: pass it as it is. */
  readonly lookup = (key: string | number | bigint): Promise<V | undefined> => {
    return new Promise<V | undefined>((resolve, reject) => {
      const k = String(key);
      const waiting = this.pending.get(k);
      if (waiting !== undefined) waiting.push({ resolve, reject });
      else this.pending.set(k, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // Every lookup of this turn (a batch of records) goes into the same query.
        setImmediate(() => this.fetchPending());
      }
    });
  };

  /** Closes the pool (idle connections also close by themselves, without holding the process). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private connect(): pg.Pool {
    if (this.pool === undefined) {
      const pool = new pg.Pool({
        ...clientConfig(this.options.connection, `eddy ${this.name}`),
        max: this.options.maxConnections ?? 4,
        idleTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      // An idle connection that breaks is dropped by the pool; the next query opens another.
      pool.on('error', () => undefined);
      this.pool = pool;
    }
    return this.pool;
  }

  private fetchPending(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = new Map();
    const keys = [...all.keys()];
    for (let i = 0; i < keys.length; i += this.maxKeys) {
      const slice = keys.slice(i, i + this.maxKeys);
      this.queries++;
      this.connect()
        .query<Record<string, unknown>>(this.sql, [slice])
        .then(
          (result) => {
            const rows = new Map<string, V>();
            for (const row of result.rows) {
              const k = row[this.keyField] as string;
              delete row[this.keyField];
              if (!rows.has(k)) rows.set(k, row as V);
            }
            for (const k of slice) for (const w of all.get(k) ?? []) w.resolve(rows.get(k));
          },
          (e: unknown) => {
            const error = postgresEddyError(
              e,
              'SOURCE_FAILED',
              this.name,
              'lookup',
              this.options.table,
            );
            for (const k of slice) for (const w of all.get(k) ?? []) w.reject(error);
          },
        );
    }
  }
}
