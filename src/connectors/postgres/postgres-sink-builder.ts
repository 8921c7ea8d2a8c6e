/**
 * The builder of {@link PostgresSink}.
 *
 * @module
 */
import { userError } from '../../errors/eddy-error.ts';
import type { PostgresConnectionOptions } from './postgres-connection.ts';
import type { PostgresDeliveryGuarantee, PostgresSinkOptions } from './postgres-sink-options.ts';
import type { PostgresSink } from './postgres-sink.ts';
import { invalidPrefix } from './transaction-name.ts';

/**
 * Collects a PostgreSQL sink's settings; `build()` checks them.
 *
 * @example
 * ```ts
 * PostgresSink.builder<Order>()
 *   .setConnection({ host: 'db', user: 'eddy', database: 'shop' })
 *   .setTable('public.orders')
 *   .setColumns(['id', 'total'], (o) => [o.id, o.amount * o.quantity])
 *   .setKeyColumns(['id'])
 *   .build();
 * ```
 */
export class PostgresSinkBuilder<T> {
  private connection: PostgresConnectionOptions | undefined;
  private table: string | undefined;
  private columns: readonly string[] = [];
  private toRow: ((value: T) => readonly unknown[]) | undefined;
  private keyColumns: readonly string[] = [];
  private guarantee: PostgresDeliveryGuarantee = 'at-least-once';
  private prefix: string | undefined;
  private deadLetterTable: string | undefined;
  private maxBatchRows = 1000;
  private maxBufferedRows = 10_000;
  private name: string | undefined;

  /** @internal Use `PostgresSink.builder()`. */
  constructor(private readonly create: (options: PostgresSinkOptions<T>) => PostgresSink<T>) {}

  /** A `postgres://user:password@host:port/database` string, or `pg`'s client settings. */
  setConnection(connection: PostgresConnectionOptions): this {
    this.connection = connection;
    return this;
  }
  /** The table to write (`table` or `schema.table`); it must exist. */
  setTable(table: string): this {
    this.table = table;
    return this;
  }
  /**
   * The columns to write and, optionally, how a record becomes their values (in the same
   * order); without `toRow`, each column is read from the record's field of the same name.
   */
  setColumns(columns: readonly string[], toRow?: (value: T) => readonly unknown[]): this {
    this.columns = [...columns];
    this.toRow = toRow;
    return this;
  }
  /**
   * Upserts by these columns (`INSERT … ON CONFLICT (keys) DO UPDATE`), which need a primary
   * key or unique index; without them rows are plain inserts.
   */
  setKeyColumns(keyColumns: readonly string[]): this {
    this.keyColumns = [...keyColumns];
    return this;
  }
  /** `at-least-once` (default) or `exactly-once` (prepared transactions; see the module docs). */
  setDeliveryGuarantee(guarantee: PostgresDeliveryGuarantee): this {
    this.guarantee = guarantee;
    return this;
  }
  /**
   * Prefix of the prepared transactions' names (exactly-once): unique per sink, stable across
   * restarts. Default: `<job name>/<sink uid or name>`.
   */
  setTransactionNamePrefix(prefix: string): this {
    this.prefix = prefix;
    return this;
  }
  /**
   * Rows whose values do not fit their columns or break a constraint go to this table (created
   * when missing) with the error, instead of failing the job. In exactly-once mode they are
   * written in the same transaction as the good rows.
   */
  setDeadLetterTable(table: string): this {
    this.deadLetterTable = table;
    return this;
  }
  /** Rows per statement (default 1000). */
  setMaxBatchRows(rows: number): this {
    this.maxBatchRows = rows;
    return this;
  }
  /** Rows handed to the sink but not yet written before it makes the job wait (default 10,000). */
  setMaxBufferedRows(rows: number): this {
    this.maxBufferedRows = rows;
    return this;
  }
  /** The operator name (default `PostgresSink`). */
  setName(name: string): this {
    this.name = name;
    return this;
  }

  build(): PostgresSink<T> {
    const name = this.name ?? 'PostgresSink';
    const fail = (message: string, hint: string) =>
      userError('INVALID_ARGUMENT', message, { operator: { name }, hint });
    if (this.connection === undefined) {
      throw fail(
        'PostgresSink needs a connection',
        "call setConnection('postgres://user@host:5432/database')",
      );
    }
    if (this.table === undefined || this.table === '') {
      throw fail('PostgresSink needs a table', "call setTable('my_table')");
    }
    if (this.columns.length === 0) {
      throw fail('PostgresSink needs the columns to write', "call setColumns(['id', 'total'])");
    }
    const duplicate = this.columns.find((c, i) => this.columns.indexOf(c) !== i);
    if (duplicate !== undefined) {
      throw fail(`column ${duplicate} is listed twice`, 'list each column once in setColumns(...)');
    }
    const stray = this.keyColumns.filter((k) => !this.columns.includes(k));
    if (stray.length > 0) {
      throw fail(
        `key column ${stray.join(', ')} is not among the columns (${this.columns.join(', ')})`,
        'the key columns must be written too: add them to setColumns(...)',
      );
    }
    if (this.guarantee !== 'at-least-once' && this.guarantee !== 'exactly-once') {
      throw fail(
        `unknown delivery guarantee ${String(this.guarantee)}`,
        "use 'at-least-once' or 'exactly-once'",
      );
    }
    if (this.prefix !== undefined) {
      const why = invalidPrefix(this.prefix);
      if (why !== undefined) throw fail(why, 'fix setTransactionNamePrefix(...)');
    }
    for (const [what, n] of [
      ['setMaxBatchRows', this.maxBatchRows],
      ['setMaxBufferedRows', this.maxBufferedRows],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) {
        throw fail(`${what}(${n}): must be a positive integer`, `fix ${what}(...)`);
      }
    }
    return this.create({
      name,
      connection: this.connection,
      table: this.table,
      columns: this.columns,
      toRow: this.toRow,
      keyColumns: this.keyColumns,
      deliveryGuarantee: this.guarantee,
      transactionNamePrefix: this.prefix,
      deadLetterTable: this.deadLetterTable,
      maxBatchRows: this.maxBatchRows,
      maxBufferedRows: this.maxBufferedRows,
    });
  }
}
