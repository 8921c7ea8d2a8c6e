/**
 * Uploaded artifacts: the bytes are checked (manifest, checksums, limits) before anything is
 * written, stored as `artifacts/<id>.eddy`, and extracted once per checksum for the processes
 * that run them.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extractArtifact, type ExtractedArtifact } from '../../artifact/extract-artifact.ts';
import { readArtifact } from '../../artifact/read-artifact.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { ArtifactDescription } from '../../protocol/artifact.ts';
import type { ArtifactRepository } from '../store/artifact-repository.ts';
import type { ServerPaths } from '../server-paths.ts';

/** Stores, lists, extracts and deletes artifacts. */
export class ArtifactStore {
  constructor(
    private readonly paths: ServerPaths,
    private readonly rows: ArtifactRepository,
    private readonly now: () => string,
  ) {}

  /**
   * Checks and stores `bytes`; the same bytes uploaded twice answer the first upload's artifact.
   *
   * @throws EddyError `INVALID_ARTIFACT` (nothing stored) when the bytes are not a valid artifact.
   */
  async upload(bytes: Uint8Array): Promise<ArtifactDescription> {
    const { manifest, sha256 } = readArtifact(bytes);
    const known = this.rows.findBySha256(sha256);
    if (known !== undefined) return known;
    const id = `art-${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    await mkdir(this.paths.artifacts, { recursive: true });
    const file = this.paths.artifactFile(id);
    // Written aside and renamed: a server killed mid-write leaves no half artifact under its id.
    await writeFile(`${file}.tmp`, bytes);
    await rename(`${file}.tmp`, file);
    const description: ArtifactDescription = {
      id,
      sha256,
      size: bytes.byteLength,
      uploadedAt: this.now(),
      manifest: { ...manifest },
    };
    this.rows.insert(description);
    return description;
  }

  /** Every artifact, newest first. */
  list(): ArtifactDescription[] {
    return this.rows.list();
  }

  /** One artifact; 404 when unknown. */
  get(id: string): ArtifactDescription {
    const a = this.rows.get(id);
    if (a === undefined) {
      throw new EddyError(`no artifact ${id}`, {
        code: 'NOT_FOUND',
        domain: 'user',
        hint: 'GET /v1/artifacts lists the uploaded artifacts',
      });
    }
    return a;
  }

  /** Deletes an artifact no application version uses; 409 naming the applications otherwise. */
  async delete(id: string): Promise<void> {
    const a = this.get(id);
    const users = this.rows.usedBy(id);
    if (users.length > 0) {
      throw new EddyError(`artifact ${id} is used by application ${users.join(', ')}`, {
        code: 'CONFLICT',
        domain: 'user',
        hint: 'delete those applications first (their versions keep the artifact for rollbacks)',
      });
    }
    this.rows.delete(id);
    await rm(this.paths.artifactFile(id), { force: true });
    if (this.rows.findBySha256(a.sha256) === undefined) {
      await rm(this.paths.extracted(a.sha256), { recursive: true, force: true });
    }
  }

  /** The artifact `id` extracted (once per checksum) for running. */
  async extract(id: string): Promise<ExtractedArtifact> {
    const a = this.get(id);
    const bytes = await readFile(this.paths.artifactFile(id));
    return extractArtifact(bytes, this.paths.extracted(a.sha256));
  }
}
