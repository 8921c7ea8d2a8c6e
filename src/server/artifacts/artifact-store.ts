/**
 * Uploaded artifacts: the bytes are checked (manifest, checksums, limits) before anything is
 * written, stored as `<id>.eddy` in a blob store — `<data-dir>/artifacts/` by default, or object
 * storage (`eddy server --artifact-store s3://bucket/prefix`), where every machine reaches them —
 * and extracted once per checksum, on the local disk, for the processes that run them.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { extractArtifact, type ExtractedArtifact } from '../../artifact/extract-artifact.ts';
import { readArtifact } from '../../artifact/read-artifact.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { ArtifactDescription } from '../../protocol/artifact.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import type { ArtifactRepository } from '../store/artifact-repository.ts';
import type { ServerPaths } from '../server-paths.ts';

/** Stores, lists, extracts and deletes artifacts. */
export class ArtifactStore {
  /**
   * @param blobs where the artifacts' bytes are kept (`<id>.eddy`)
   * @param paths the server's local directories (extracted artifacts)
   */
  constructor(
    private readonly blobs: BlobStore,
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
    // A blob store's put is atomic: a server killed mid-write leaves no half artifact under its
    // id (and the row that names it is written after).
    await this.blobs.put(blobKey(id), bytes);
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
    await this.blobs.delete(blobKey(id));
    if (this.rows.findBySha256(a.sha256) === undefined) {
      await rm(this.paths.extracted(a.sha256), { recursive: true, force: true });
    }
  }

  /** The artifact `id` extracted (once per checksum) for running. */
  async extract(id: string): Promise<ExtractedArtifact> {
    const a = this.get(id);
    const bytes = await this.blobs.get(blobKey(id));
    return extractArtifact(bytes, this.paths.extracted(a.sha256));
  }

  /** Where the artifacts' bytes are kept, as users write it (a directory or `s3://…`). */
  get location(): string {
    return this.blobs.uri;
  }

  /** Releases the blob store's connections. */
  close(): Promise<void> {
    return this.blobs.close();
  }
}

/** The blob of artifact `id`: the file name artifacts always had under `<data-dir>/artifacts/`. */
function blobKey(id: string): string {
  return `${id}.eddy`;
}
