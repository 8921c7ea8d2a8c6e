/**
 * Applications and their versions.
 *
 * @module
 */
import type {
  ApplicationConfig,
  ApplicationStatus,
  ApplicationVersion,
} from '../../protocol/application.ts';
import type { Database } from './metadata-store.ts';

/** What the server wants an application to be doing, whatever it is doing now. */
export type DesiredState = 'RUNNING' | 'STOPPED';

/** The job the application currently runs. */
export interface JobRecord {
  readonly status: string;
  readonly startedAt: string;
  readonly restoredFrom?: string | undefined;
  readonly restarts: number;
  readonly pid?: number | undefined;
}

/** Why the application last failed. */
export interface FailureRecord {
  readonly at: string;
  readonly reason: string;
  readonly kind: string;
}

/** Resource use accumulated over the application's runs. */
export interface UsageRecord {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly recordsPerSecond: number;
}

/** One application row. */
export interface ApplicationRecord {
  readonly name: string;
  readonly status: ApplicationStatus;
  readonly version: number;
  readonly desired: DesiredState;
  readonly session: string | undefined;
  readonly job: JobRecord | undefined;
  readonly lastFailure: FailureRecord | undefined;
  readonly usage: UsageRecord;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface ApplicationRow {
  name: string;
  status: string;
  version: number;
  desired: string;
  session: string | null;
  job: string | null;
  last_failure: string | null;
  usage: string;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  application: string;
  version: number;
  artifact_id: string;
  config: string;
  created_at: string;
}

/** Usage before the first run. */
export const NO_USAGE: UsageRecord = {
  cpuSeconds: 0,
  rssBytes: 0,
  peakRssBytes: 0,
  recordsPerSecond: 0,
};

const parse = <T>(s: string | null): T | undefined =>
  s === null ? undefined : (JSON.parse(s) as T);

const toApplication = (r: ApplicationRow): ApplicationRecord => ({
  name: r.name,
  status: r.status as ApplicationStatus,
  version: r.version,
  desired: r.desired as DesiredState,
  session: r.session ?? undefined,
  job: parse<JobRecord>(r.job),
  lastFailure: parse<FailureRecord>(r.last_failure),
  usage: parse<UsageRecord>(r.usage) ?? NO_USAGE,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toVersion = (r: VersionRow): ApplicationVersion => ({
  version: r.version,
  artifactId: r.artifact_id,
  config: JSON.parse(r.config) as ApplicationConfig,
  createdAt: r.created_at,
});

/** The fields {@link ApplicationRepository.update} may change. */
export type ApplicationChange = Partial<
  Pick<
    ApplicationRecord,
    'status' | 'version' | 'desired' | 'session' | 'job' | 'lastFailure' | 'usage'
  >
>;

/** Applications' rows and versions. */
export class ApplicationRepository {
  constructor(private readonly db: Database) {}

  /** Creates an application at version 1 (status READY). */
  create(name: string, artifactId: string, config: ApplicationConfig, now: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO applications (name, status, version, desired, session, usage, created_at, updated_at)
           VALUES (?, 'READY', 1, 'STOPPED', ?, ?, ?, ?)`,
        )
        .run(name, config.session ?? null, JSON.stringify(NO_USAGE), now, now);
      this.addVersion(name, 1, artifactId, config, now);
    })();
  }

  /** Adds a version (not yet current). */
  addVersion(
    name: string,
    version: number,
    artifactId: string,
    config: ApplicationConfig,
    now: string,
  ): void {
    this.db
      .prepare(
        'INSERT INTO versions (application, version, artifact_id, config, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(name, version, artifactId, JSON.stringify(config), now);
  }

  /** One application. */
  get(name: string): ApplicationRecord | undefined {
    const r = this.db.prepare('SELECT * FROM applications WHERE name = ?').get(name) as
      ApplicationRow | undefined;
    return r && toApplication(r);
  }

  /** All applications by name. */
  list(): ApplicationRecord[] {
    return (
      this.db.prepare('SELECT * FROM applications ORDER BY name').all() as ApplicationRow[]
    ).map(toApplication);
  }

  /** Changes fields of an application. */
  update(name: string, change: ApplicationChange, now: string): void {
    const sets: string[] = ['updated_at = @updated_at'];
    const values: Record<string, unknown> = { name, updated_at: now };
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = @${column}`);
      values[column] = value;
    };
    if (change.status !== undefined) put('status', change.status);
    if (change.version !== undefined) put('version', change.version);
    if (change.desired !== undefined) put('desired', change.desired);
    if ('session' in change) put('session', change.session ?? null);
    if ('job' in change) put('job', change.job === undefined ? null : JSON.stringify(change.job));
    if ('lastFailure' in change)
      put(
        'last_failure',
        change.lastFailure === undefined ? null : JSON.stringify(change.lastFailure),
      );
    if (change.usage !== undefined) put('usage', JSON.stringify(change.usage));
    this.db.prepare(`UPDATE applications SET ${sets.join(', ')} WHERE name = @name`).run(values);
  }

  /** One version of an application. */
  version(name: string, version: number): ApplicationVersion | undefined {
    const r = this.db
      .prepare('SELECT * FROM versions WHERE application = ? AND version = ?')
      .get(name, version) as VersionRow | undefined;
    return r && toVersion(r);
  }

  /** Every version of an application, newest first. */
  versions(name: string): ApplicationVersion[] {
    return (
      this.db
        .prepare('SELECT * FROM versions WHERE application = ? ORDER BY version DESC')
        .all(name) as VersionRow[]
    ).map(toVersion);
  }

  /** The highest version number recorded. */
  latestVersion(name: string): number {
    const r = this.db
      .prepare('SELECT MAX(version) AS v FROM versions WHERE application = ?')
      .get(name) as { v: number | null };
    return r.v ?? 0;
  }

  /** Forgets an application and its versions. */
  delete(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM versions WHERE application = ?').run(name);
      this.db.prepare('DELETE FROM applications WHERE name = ?').run(name);
    })();
  }
}
