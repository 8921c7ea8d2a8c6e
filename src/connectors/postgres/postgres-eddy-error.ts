/**
 * PostgreSQL errors as `EddyError`s of the sink or lookup that met them, and the classification
 * the sink needs: which errors belong to one row (a value that does not fit its column, a
 * broken constraint — dead-letter material) and which to the connection or the setup.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';

/** The fields of a server error that `pg` reports (`DatabaseError`). */
interface PgErrorFields {
  readonly code?: string;
  readonly detail?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
}

/** The SQLSTATE of a server error, or undefined for client-side and network errors. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as PgErrorFields | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True for errors caused by the values of a row: class 22 (data exception: a value of the wrong
 * type, out of range, too long) and class 23 (integrity constraint violation: not null, unique,
 * foreign key, check).
 */
export function isRowError(e: unknown): boolean {
  const state = sqlState(e);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/** The SQLSTATE "prepared transaction ... does not exist" (already committed or rolled back). */
export const UNDEFINED_OBJECT = '42704';

/** What to tell the user, by SQLSTATE class or code. */
function hintFor(state: string | undefined, table: string): string {
  if (state === undefined) {
    return 'check that the database in setConnection(...) is reachable; the job restarts from its last checkpoint when a restart strategy is set';
  }
  if (state === '42P01') return `create the table ${table} first (Eddy does not create tables)`;
  if (state === '42703') return `check setColumns(...) against the columns of ${table}`;
  if (state === '42P10') {
    return `the key columns need a primary key or unique index on ${table}: ALTER TABLE ${table} ADD PRIMARY KEY (...)`;
  }
  if (state === '55000' || state === '55P03') {
    return 'enable prepared transactions: max_prepared_transactions > 0 in postgresql.conf (exactly-once needs them), then restart PostgreSQL';
  }
  if (state.startsWith('22')) {
    return `a value does not fit its column of ${table}: fix it in the job or change the column type, or setDeadLetterTable(...) to keep such rows aside and go on`;
  }
  if (state.startsWith('23')) {
    return `the row breaks a constraint of ${table}: fix the data or the constraint, or setDeadLetterTable(...) to keep such rows aside and go on`;
  }
  if (state.startsWith('08') || state.startsWith('57') || state.startsWith('53')) {
    return 'the database went away or is overloaded; the job restarts from its last checkpoint when a restart strategy is set';
  }
  if (state.startsWith('28') || state === '3D000') {
    return 'check the user, password and database name in setConnection(...)';
  }
  return `check the PostgreSQL server log and the settings of the sink for ${table}`;
}

/** Whether retrying later may succeed (connection lost, server shutting down, overload). */
function retryable(state: string | undefined): boolean {
  if (state === undefined) return true;
  return (
    state.startsWith('08') ||
    state.startsWith('57') ||
    state.startsWith('53') ||
    state === '40001' ||
    state === '40P01'
  );
}

/**
 * Wraps `error` as a `SINK_FAILED` (or `SOURCE_FAILED` for lookups) `EddyError` naming the
 * operator, what was being done and the table; the server's detail (the failing row, the
 * constraint, the column) goes into the message. Row and setup errors are the user's; network
 * and server errors are external and retryable.
 */
export function postgresEddyError(
  error: unknown,
  code: 'SINK_FAILED' | 'SOURCE_FAILED',
  operator: string,
  what: string,
  table: string,
): EddyError {
  if (error instanceof EddyError) return error;
  const state = sqlState(error);
  const fields = (error ?? {}) as PgErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  const details = [
    state !== undefined ? `SQLSTATE ${state}` : undefined,
    fields.column !== undefined ? `column ${fields.column}` : undefined,
    fields.constraint !== undefined ? `constraint ${fields.constraint}` : undefined,
    fields.detail,
  ].filter((d): d is string => d !== undefined && d !== '');
  const external = state === undefined || retryable(state);
  return new EddyError(
    `PostgreSQL ${what} failed: ${message}${details.length > 0 ? ` (${details.join('; ')})` : ''}`,
    {
      code,
      domain: external ? 'external' : 'user',
      retryable: retryable(state),
      cause: error,
      operator: { name: operator },
      hint: hintFor(state, table),
    },
  );
}
