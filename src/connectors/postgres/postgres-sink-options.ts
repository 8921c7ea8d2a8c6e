/**
 * The settings of a {@link PostgresSink}, as checked by its builder.
 *
 * @module
 */
import type { PostgresConnectionOptions } from './postgres-connection.ts';

/** What the sink promises about its rows (Flink's `DeliveryGuarantee` for the JDBC sink). */
export type PostgresDeliveryGuarantee = 'at-least-once' | 'exactly-once';

/** The settings of a {@link PostgresSink}. */
export interface PostgresSinkOptions<T> {
  readonly name: string;
  readonly connection: PostgresConnectionOptions;
  /** The table, optionally schema-qualified (`schema.table`). */
  readonly table: string;
  readonly columns: readonly string[];
  /** The record as column values (in `columns` order); undefined: read `record[column]`. */
  readonly toRow: ((value: T) => readonly unknown[]) | undefined;
  /** Upsert by these columns; empty: plain inserts. */
  readonly keyColumns: readonly string[];
  readonly deliveryGuarantee: PostgresDeliveryGuarantee;
  /** Prefix of the prepared transactions' names; undefined: `<job>/<operator uid or name>`. */
  readonly transactionNamePrefix: string | undefined;
  /** Rows of a failing value or constraint go here (created when missing); undefined: fail. */
  readonly deadLetterTable: string | undefined;
  /** Rows per statement. */
  readonly maxBatchRows: number;
  /** Rows handed to the sink but not yet written before `write` makes the job wait. */
  readonly maxBufferedRows: number;
}
