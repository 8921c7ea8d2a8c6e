/**
 * The metadata schema, versioned in code: migration N brings a database from `user_version` N-1
 * to N, inside one transaction. Never edit a released migration; append a new one.
 *
 * @module
 */

/** Ordered migrations; index 0 is version 1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE artifacts (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    manifest TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
  );
  CREATE TABLE applications (
    name TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    desired TEXT NOT NULL,
    session TEXT,
    job TEXT,
    last_failure TEXT,
    usage TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE versions (
    application TEXT NOT NULL,
    version INTEGER NOT NULL,
    artifact_id TEXT NOT NULL REFERENCES artifacts(id),
    config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (application, version)
  );
  CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    by TEXT NOT NULL,
    failure TEXT,
    version INTEGER,
    snapshot TEXT
  );
  CREATE INDEX operations_by_application ON operations(application, started_at);
  CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    size INTEGER,
    system INTEGER NOT NULL,
    path TEXT,
    failure TEXT
  );
  CREATE INDEX snapshots_by_application ON snapshots(application, created_at);
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE hosts (
    id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    start_ticks INTEGER NOT NULL,
    started_at TEXT NOT NULL
  );
  `, // 2: an operation's failure keeps the error's code and whether retrying may help, not only its text.
  `
  ALTER TABLE operations ADD COLUMN failure_code TEXT;
  ALTER TABLE operations ADD COLUMN failure_retryable INTEGER;
  `,
  // 3: the stages of an operation (JSON `[{name, ms}]`), where its time went.
  `ALTER TABLE operations ADD COLUMN stages TEXT;`,
];
