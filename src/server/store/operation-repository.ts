/**
 * Operations' rows.
 *
 * @module
 */
import type {
  OperationDescription,
  OperationStage,
  OperationStatus,
  OperationType,
} from '../../protocol/operation.ts';
import type { Database } from './metadata-store.ts';

interface OperationRow {
  id: string;
  application: string;
  type: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  by: string;
  failure: string | null;
  failure_code: string | null;
  failure_retryable: number | null;
  version: number | null;
  snapshot: string | null;
  stages: string | null;
}

const toOperation = (r: OperationRow): OperationDescription => ({
  id: r.id,
  application: r.application,
  type: r.type as OperationType,
  status: r.status as OperationStatus,
  startedAt: r.started_at,
  by: r.by,
  ...(r.ended_at !== null && { endedAt: r.ended_at }),
  ...(r.failure !== null && { failureReason: r.failure }),
  ...(r.failure_code !== null && { failureCode: r.failure_code }),
  ...(r.failure_retryable !== null && { failureRetryable: r.failure_retryable === 1 }),
  ...(r.version !== null && { version: r.version }),
  ...(r.snapshot !== null && { snapshot: r.snapshot }),
  ...(r.stages !== null && { stages: JSON.parse(r.stages) as OperationStage[] }),
});

/** Operations' rows. */
export class OperationRepository {
  constructor(private readonly db: Database) {}

  /** Records a new operation, IN_PROGRESS. */
  begin(op: {
    id: string;
    application: string;
    type: OperationType;
    by: string;
    now: string;
    version?: number | undefined;
  }): void {
    this.db
      .prepare(
        `INSERT INTO operations (id, application, type, status, started_at, by, version)
         VALUES (?, ?, ?, 'IN_PROGRESS', ?, ?, ?)`,
      )
      .run(op.id, op.application, op.type, op.now, op.by, op.version ?? null);
  }

  /** Ends an operation; a failure with its reason and, when known, its code. */
  end(
    id: string,
    status: 'SUCCESSFUL' | 'FAILED',
    now: string,
    failure?: string,
    error?: { readonly code: string; readonly retryable: boolean },
  ): void {
    this.db
      .prepare(
        `UPDATE operations SET status = ?, ended_at = ?, failure = ?, failure_code = ?,
           failure_retryable = ? WHERE id = ?`,
      )
      .run(
        status,
        now,
        failure ?? null,
        error?.code ?? null,
        error === undefined ? null : error.retryable ? 1 : 0,
        id,
      );
  }

  /** Notes the snapshot or version an operation produced. */
  annotate(id: string, fields: { snapshot?: string; version?: number }): void {
    if (fields.snapshot !== undefined)
      this.db.prepare('UPDATE operations SET snapshot = ? WHERE id = ?').run(fields.snapshot, id);
    if (fields.version !== undefined)
      this.db.prepare('UPDATE operations SET version = ? WHERE id = ?').run(fields.version, id);
  }

  /** Appends a stage (where the operation's time went). */
  addStage(id: string, stage: OperationStage): void {
    this.db
      .prepare(
        `UPDATE operations SET stages = json_insert(coalesce(stages, '[]'), '$[#]', json(?))
         WHERE id = ?`,
      )
      .run(JSON.stringify(stage), id);
  }

  /** One operation. */
  get(id: string): OperationDescription | undefined {
    const r = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as
      OperationRow | undefined;
    return r && toOperation(r);
  }

  /** An application's operations, newest first. */
  list(application: string, limit = 100): OperationDescription[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM operations WHERE application = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
        )
        .all(application, limit) as OperationRow[]
    ).map(toOperation);
  }

  /** Operations a dead server left IN_PROGRESS. */
  inProgress(): OperationDescription[] {
    return (
      this.db
        .prepare("SELECT * FROM operations WHERE status = 'IN_PROGRESS'")
        .all() as OperationRow[]
    ).map(toOperation);
  }
}
