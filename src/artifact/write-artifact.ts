/**
 * Writes an application artifact: the manifest (with each member's size and SHA-256) followed by
 * the members, in one zip archive (ADR 0010).
 *
 * @module
 */
import {
  ARTIFACT_FORMAT,
  MANIFEST_PATH,
  type ArtifactManifest,
  type ArtifactPlan,
} from './artifact-manifest.ts';
import { checkArtifactMemberPath } from './read-artifact.ts';
import { sha256Hex } from './sha256-hex.ts';
import { writeZip } from './zip-writer.ts';

/** What goes into an artifact; the manifest's checksums and sizes are computed from it. */
export interface ArtifactInput {
  /** The application's name. */
  readonly name: string;
  /** The member that is the job module (one of {@link members}). */
  readonly entry: string;
  /** The version of Eddy packaging it. */
  readonly eddyVersion: string;
  /** When it is packaged (default: now). */
  readonly createdAt?: Date;
  /** The plan of its job, when known. */
  readonly plan?: ArtifactPlan;
  /** The files, by relative `/`-separated path. */
  readonly members: readonly { readonly path: string; readonly data: Uint8Array }[];
}

/** Returns the artifact's bytes and its manifest. */
export function writeArtifact(input: ArtifactInput): {
  bytes: Uint8Array;
  manifest: ArtifactManifest;
} {
  for (const m of input.members) checkArtifactMemberPath(m.path);
  if (!input.members.some((m) => m.path === input.entry)) {
    throw new RangeError(`the entry "${input.entry}" is not one of the artifact's members`);
  }
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    name: input.name,
    entry: input.entry,
    eddyVersion: input.eddyVersion,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    ...(input.plan !== undefined ? { plan: input.plan } : {}),
    members: input.members.map((m) => ({
      path: m.path,
      size: m.data.byteLength,
      sha256: sha256Hex(m.data),
    })),
  };
  const bytes = writeZip([
    { path: MANIFEST_PATH, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    ...input.members,
  ]);
  return { bytes, manifest };
}
