/**
 * Stored artifacts' metadata (the bytes live in the artifact store's directory).
 *
 * @module
 */
import type { ArtifactDescription } from '../../protocol/artifact.ts';
import type { Database } from './metadata-store.ts';

interface ArtifactRow {
  id: string;
  sha256: string;
  size: number;
  manifest: string;
  uploaded_at: string;
}

const toArtifact = (r: ArtifactRow): ArtifactDescription => ({
  id: r.id,
  sha256: r.sha256,
  size: r.size,
  uploadedAt: r.uploaded_at,
  manifest: JSON.parse(r.manifest) as ArtifactDescription['manifest'],
});

/** Artifacts' rows. */
export class ArtifactRepository {
  constructor(private readonly db: Database) {}

  /** Records an artifact. */
  insert(a: ArtifactDescription): void {
    this.db
      .prepare(
        'INSERT INTO artifacts (id, sha256, size, manifest, uploaded_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(a.id, a.sha256, a.size, JSON.stringify(a.manifest), a.uploadedAt);
  }

  /** One artifact. */
  get(id: string): ArtifactDescription | undefined {
    const r = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as
      ArtifactRow | undefined;
    return r && toArtifact(r);
  }

  /** The artifact with these bytes, if uploaded before. */
  findBySha256(sha256: string): ArtifactDescription | undefined {
    const r = this.db.prepare('SELECT * FROM artifacts WHERE sha256 = ?').get(sha256) as
      ArtifactRow | undefined;
    return r && toArtifact(r);
  }

  /** All artifacts, newest first. */
  list(): ArtifactDescription[] {
    return (
      this.db.prepare('SELECT * FROM artifacts ORDER BY uploaded_at DESC').all() as ArtifactRow[]
    ).map(toArtifact);
  }

  /** Names of applications whose versions use the artifact. */
  usedBy(id: string): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT application FROM versions WHERE artifact_id = ?')
        .all(id) as { application: string }[]
    ).map((r) => r.application);
  }

  /** Forgets an artifact. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id);
  }
}
