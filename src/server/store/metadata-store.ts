/**
 * The server's metadata database: SQLite through better-sqlite3, in WAL mode, migrated to the
 * newest schema version on open. better-sqlite3 is an optional dependency loaded here only, so
 * that `eddy run` never needs the native module.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { EddyError } from '../../errors/eddy-error.ts';
import { MIGRATIONS } from './migrations.ts';

/** An open metadata database. */
export type Database = BetterSqlite3.Database;

/** Opens (creating and migrating) the database at `file`. */
export function openMetadataStore(file: string): Database {
  let open: typeof BetterSqlite3;
  try {
    open = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (e) {
    throw new EddyError('eddy server needs better-sqlite3, which is not installed', {
      code: 'INTERNAL',
      domain: 'external',
      cause: e,
      hint: 'run npm install (better-sqlite3 is an optional dependency; it needs a C++ toolchain when no prebuilt binary matches)',
    });
  }
  const db = open(file);
  db.pragma('journal_mode = WAL');
  // FULL: a SIGKILLed server must find every committed operation after restart.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new EddyError(
      `the metadata database is at schema version ${current}, newer than this Eddy (${MIGRATIONS.length})`,
      {
        code: 'INVALID_ARGUMENT',
        domain: 'user',
        hint: 'run the newer Eddy, or use another --data-dir',
      },
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
