/**
 * Snapshots' rows (the savepoint files live under the application's directory).
 *
 * @module
 */
import type { SnapshotDescription } from '../../protocol/snapshot.ts';
import type { Database } from './metadata-store.ts';

interface SnapshotRow {
  id: string;
  application: string;
  status: string;
  version: number;
  created_at: string;
  size: number | null;
  system: number;
  path: string | null;
  failure: string | null;
}

/** A snapshot with where its files are. */
export interface SnapshotRecord extends SnapshotDescription {
  readonly path: string | undefined;
}

const toSnapshot = (r: SnapshotRow): SnapshotRecord => ({
  id: r.id,
  application: r.application,
  status: r.status as SnapshotDescription['status'],
  version: r.version,
  createdAt: r.created_at,
  system: r.system === 1,
  path: r.path ?? undefined,
  ...(r.size !== null && { sizeBytes: r.size }),
  ...(r.failure !== null && { failureReason: r.failure }),
});

/** Snapshots' rows. */
export class SnapshotRepository {
  constructor(private readonly db: Database) {}

  /** Records a snapshot being taken. */
  begin(s: {
    id: string;
    application: string;
    version: number;
    system: boolean;
    now: string;
  }): void {
    this.db
      .prepare(
        `INSERT INTO snapshots (id, application, status, version, created_at, system)
         VALUES (?, ?, 'CREATING', ?, ?, ?)`,
      )
      .run(s.id, s.application, s.version, s.now, s.system ? 1 : 0);
  }

  /** Marks a snapshot complete. */
  ready(id: string, path: string, size: number): void {
    this.db
      .prepare("UPDATE snapshots SET status = 'READY', path = ?, size = ? WHERE id = ?")
      .run(path, size, id);
  }

  /** Marks a snapshot failed. */
  failed(id: string, reason: string): void {
    this.db
      .prepare("UPDATE snapshots SET status = 'FAILED', failure = ? WHERE id = ?")
      .run(reason, id);
  }

  /** Snapshots a dead server left CREATING. */
  creating(): SnapshotRecord[] {
    return (
      this.db.prepare("SELECT * FROM snapshots WHERE status = 'CREATING'").all() as SnapshotRow[]
    ).map(toSnapshot);
  }

  /** One snapshot. */
  get(application: string, id: string): SnapshotRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM snapshots WHERE application = ? AND id = ?')
      .get(application, id) as SnapshotRow | undefined;
    return r && toSnapshot(r);
  }

  /** An application's snapshots, newest first. */
  list(application: string): SnapshotRecord[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM snapshots WHERE application = ? ORDER BY created_at DESC, rowid DESC',
        )
        .all(application) as SnapshotRow[]
    ).map(toSnapshot);
  }

  /** The newest READY snapshot, optionally of one version. */
  latestReady(application: string, version?: number): SnapshotRecord | undefined {
    return this.list(application).find(
      (s) => s.status === 'READY' && (version === undefined || s.version === version),
    );
  }

  /** Forgets a snapshot. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
  }

  /** Forgets every snapshot of an application. */
  deleteAll(application: string): void {
    this.db.prepare('DELETE FROM snapshots WHERE application = ?').run(application);
  }
}
