/**
 * The sink's statement: a multi-row `INSERT … VALUES (…), (…)` with `ON CONFLICT (keys) DO UPDATE`
 * when the sink upserts by key, and the encoding of a batch of records into its parameters.
 *
 * A batch becomes one statement per `maxRows` rows (PostgreSQL takes at most 65,535 parameters
 * per statement). Within one statement a key may appear only once (`ON CONFLICT DO UPDATE
 * command cannot affect row a second time`), so a later record of the same key replaces the
 * earlier one in place — what running the upserts one by one would leave in the table.
 *
 * @module
 */
import { quoteQualified } from './postgres-connection.ts';
import pg from 'pg';

/** Rows of one statement: `rows` rows of `columns` parameters each, row-major. */
export interface EncodedChunk {
  readonly rows: number;
  readonly params: unknown[];
}

/** PostgreSQL's limit on parameters per statement. */
const MAX_PARAMETERS = 65_535;

/** Builds and caches the SQL, and encodes records into {@link EncodedChunk}s. */
export class UpsertStatement<T> {
  /** Rows per statement. */
  readonly maxRows: number;
  private readonly width: number;
  private readonly keyIndexes: readonly number[];
  private readonly head: string;
  private readonly tail: string;
  /** SQL text by row count: batches repeat a few sizes. */
  private readonly sqlByRows = new Map<number, string>();

  constructor(
    table: string,
    private readonly columns: readonly string[],
    keyColumns: readonly string[],
    private readonly toRow: ((value: T) => readonly unknown[]) | undefined,
    maxRows: number,
  ) {
    this.width = columns.length;
    this.maxRows = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMETERS / this.width)));
    this.keyIndexes = keyColumns.map((k) => columns.indexOf(k));
    const quoted = columns.map((c) => pg.escapeIdentifier(c));
    this.head = `INSERT INTO ${quoteQualified(table)} (${quoted.join(', ')}) VALUES `;
    if (keyColumns.length === 0) this.tail = '';
    else {
      const keys = new Set(keyColumns);
      const updates = columns
        .filter((c) => !keys.has(c))
        .map((c) => `${pg.escapeIdentifier(c)} = EXCLUDED.${pg.escapeIdentifier(c)}`);
      const target = keyColumns.map((k) => pg.escapeIdentifier(k)).join(', ');
      this.tail =
        updates.length === 0
          ? ` ON CONFLICT (${target}) DO NOTHING`
          : ` ON CONFLICT (${target}) DO UPDATE SET ${updates.join(', ')}`;
    }
  }

  /** The statement for `rows` rows. */
  sql(rows: number): string {
    let sql = this.sqlByRows.get(rows);
    if (sql === undefined) {
      const parts: string[] = new Array<string>(rows);
      let p = 1;
      for (let r = 0; r < rows; r++) {
        const row: string[] = new Array<string>(this.width);
        for (let c = 0; c < this.width; c++) row[c] = `$${p++}`;
        parts[r] = `(${row.join(', ')})`;
      }
      sql = `${this.head}${parts.join(', ')}${this.tail}`;
      if (this.sqlByRows.size < 64) this.sqlByRows.set(rows, sql);
    }
    return sql;
  }

  /**
   * Copies the first `count` records into statement parameters (synchronously: the batch array
   * is reused after the call returns).
   */
  encode(values: readonly T[], count: number): EncodedChunk[] {
    const chunks: EncodedChunk[] = [];
    const width = this.width;
    const columns = this.columns;
    const toRow = this.toRow;
    const keyed = this.keyIndexes.length > 0;
    let params: unknown[] = [];
    let rows = 0;
    let index = keyed ? new Map<unknown, number>() : undefined;
    for (let i = 0; i < count; i++) {
      const value = values[i] as T;
      const row = toRow === undefined ? undefined : toRow(value);
      let at = rows * width;
      if (index !== undefined) {
        const key = this.keyOf(value, row);
        const seen = index.get(key);
        if (seen === undefined) {
          index.set(key, rows);
          rows++;
        } else at = seen * width;
      } else rows++;
      if (row === undefined) {
        const record = value as Record<string, unknown>;
        for (let c = 0; c < width; c++) params[at + c] = record[columns[c] as string];
      } else {
        for (let c = 0; c < width; c++) params[at + c] = row[c];
      }
      if (rows === this.maxRows) {
        chunks.push({ rows, params });
        params = [];
        rows = 0;
        if (index !== undefined) index = new Map();
      }
    }
    if (rows > 0) chunks.push({ rows, params });
    return chunks;
  }

  /** The parameters of row `r` of `chunk`, for a one-row statement. */
  rowParams(chunk: EncodedChunk, r: number): unknown[] {
    return chunk.params.slice(r * this.width, (r + 1) * this.width);
  }

  /** Row `r` of `chunk` as `{ column: value }`, for dead letters. */
  rowObject(chunk: EncodedChunk, r: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let c = 0; c < this.width; c++) {
      out[this.columns[c] as string] = chunk.params[r * this.width + c];
    }
    return out;
  }

  private keyOf(value: T, row: readonly unknown[] | undefined): unknown {
    const idx = this.keyIndexes;
    const record = value as Record<string, unknown>;
    const at = (c: number): unknown =>
      row === undefined ? record[this.columns[c] as string] : row[c];
    if (idx.length === 1) {
      const k = at(idx[0] as number);
      return typeof k === 'object' && k !== null ? JSON.stringify(k) : k;
    }
    let key = '';
    for (const c of idx) key += `${String(at(c))}\u0000`;
    return key;
  }
}
