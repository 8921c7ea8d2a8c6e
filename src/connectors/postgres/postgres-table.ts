/**
 * What the sink checks about its table when it opens, so that a wrong setup fails before any
 * record is written, with the fix in the message: the table exists, has the configured columns,
 * and (for upserts) a primary key or unique index on exactly the key columns.
 *
 * @module
 */
import type pg from 'pg';
import { userError, type EddyError } from '../../errors/eddy-error.ts';

/** A column of the table, as the catalog describes it. */
export interface TableColumn {
  readonly name: string;
  /** `format_type` of the column, e.g. `integer`, `character varying(20)`. */
  readonly type: string;
}

/** The parts of the sink's settings that the check needs. */
export interface TableExpectation {
  readonly operator: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
}

/** Reads the table's columns and unique keys; throws an `EddyError` naming what is wrong. */
export async function checkTable(
  client: pg.Client,
  expected: TableExpectation,
): Promise<readonly TableColumn[]> {
  const { table, columns, keyColumns, operator } = expected;
  const fail = (message: string, hint: string): EddyError =>
    userError('SINK_FAILED', message, { operator: { name: operator }, hint });
  const found = await client.query<{ oid: string | null; db: string; path: string }>(
    'SELECT to_regclass($1)::oid::text AS oid, current_database() AS db, current_setting($2) AS path',
    [table, 'search_path'],
  );
  const row = found.rows[0];
  if (row === undefined || row.oid === null) {
    const keys = keyColumns.length > 0 ? `, PRIMARY KEY (${keyColumns.join(', ')})` : '';
    throw fail(
      `table ${table} does not exist in database ${row?.db ?? '?'} (search_path ${row?.path ?? '?'})`,
      `create it first, e.g. CREATE TABLE ${table} (${columns.map((c) => `${c} <type>`).join(', ')}${keys}); or fix setTable(...)`,
    );
  }
  const attributes = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [row.oid],
  );
  const tableColumns = attributes.rows;
  const names = new Set(tableColumns.map((c) => c.name));
  const missing = columns.filter((c) => !names.has(c));
  if (missing.length > 0) {
    throw fail(
      `table ${table} has no column ${missing.join(', ')} (it has ${tableColumns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
      `fix setColumns(...), or ALTER TABLE ${table} ADD COLUMN ${missing[0]} <type>`,
    );
  }
  if (keyColumns.length > 0) {
    const unique = await client.query<{ cols: string[] }>(
      `SELECT array_agg(a.attname::text) AS cols FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL
        GROUP BY i.indexrelid`,
      [row.oid],
    );
    const wanted = [...keyColumns].sort().join(',');
    if (!unique.rows.some((u) => [...u.cols].sort().join(',') === wanted)) {
      throw fail(
        `table ${table} has no primary key or unique index on exactly (${keyColumns.join(', ')}), which an upsert by key needs`,
        `ALTER TABLE ${table} ADD PRIMARY KEY (${keyColumns.join(', ')}); or fix setKeyColumns(...)`,
      );
    }
  }
  return tableColumns;
}
