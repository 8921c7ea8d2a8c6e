/**
 * The layout of the server's data directory. Every path the server writes is made here, from
 * names and ids the API has already validated, so no request can name a path outside it.
 *
 * @module
 */
import { join, resolve } from 'node:path';

/** Where the server keeps everything under its data directory. */
export class ServerPaths {
  /** The absolute data directory. */
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  /** The SQLite metadata database. */
  get database(): string {
    return join(this.root, 'eddy.db');
  }

  /** The directory of uploaded artifacts. */
  get artifacts(): string {
    return join(this.root, 'artifacts');
  }

  /** An uploaded artifact's file. */
  artifactFile(id: string): string {
    return join(this.artifacts, `${id}.eddy`);
  }

  /** Where the artifact with this checksum is extracted (shared by every application using it). */
  extracted(sha256: string): string {
    return join(this.artifacts, 'extracted', sha256);
  }

  /** An application's directory. */
  app(name: string): string {
    return join(this.root, 'apps', name);
  }

  /** An application's checkpoint directory (one for all its versions: a restart resumes from it). */
  checkpoints(name: string): string {
    return join(this.app(name), 'checkpoints');
  }

  /** The directory of one snapshot (a savepoint) of an application. */
  snapshot(name: string, id: string): string {
    return join(this.app(name), 'snapshots', id);
  }

  /** An application's log file (rotated next to it). */
  log(name: string): string {
    return join(this.app(name), 'logs', 'app.log');
  }

  /** The working directory of an application's process (local state backends write here). */
  work(name: string): string {
    return join(this.app(name), 'work');
  }
}
