/**
 * The manifest of an application artifact (`app.eddy`): what the artifact runs, which Eddy built
 * it, the plan it builds, and the size and SHA-256 of every member. It is the archive member
 * {@link MANIFEST_PATH}; `readArtifact` checks every member against it before anything runs.
 *
 * @module
 */

/** The artifact format this Eddy writes and reads; readers refuse newer formats. */
export const ARTIFACT_FORMAT = 1;

/** The manifest's path inside the archive (not listed in {@link ArtifactManifest.members}). */
export const MANIFEST_PATH = 'eddy-manifest.json';

/** One file of an artifact, as the manifest lists it. */
export interface ArtifactMember {
  /** Relative path inside the archive, `/`-separated (e.g. `job.mjs`). */
  readonly path: string;
  /** Size in bytes, uncompressed. */
  readonly size: number;
  /** SHA-256 of the member's bytes, lowercase hex. */
  readonly sha256: string;
}

/** A short description of a job's plan, to show an artifact without running it. */
export interface ArtifactPlanSummary {
  /** The job's name. */
  readonly jobName: string;
  /** The job's default parallelism when it was packaged. */
  readonly parallelism: number;
  /** The job's max parallelism (number of key groups). */
  readonly maxParallelism: number;
  /** Number of operators. */
  readonly operators: number;
  /** Names of the sources. */
  readonly sources: readonly string[];
  /** Names of the sinks. */
  readonly sinks: readonly string[];
}

/** The plan an artifact's job builds, as recorded when it was packaged. */
export interface ArtifactPlan {
  /** The plan fingerprint (the same one worker threads check), 16 hex characters. */
  readonly fingerprint: string;
  /** What the plan contains. */
  readonly summary: ArtifactPlanSummary;
  /** The member holding the whole plan as JSON (`eddy inspect` prints it), when packaged. */
  readonly path?: string;
}

/** The manifest of an application artifact (format {@link ARTIFACT_FORMAT}). */
export interface ArtifactManifest {
  /** The artifact format version. */
  readonly format: 1;
  /** The application's name (the job name, or the job file's name). */
  readonly name: string;
  /** The member that is the job module: one ESM file, run like a job file. */
  readonly entry: string;
  /** The version of Eddy that packaged it. */
  readonly eddyVersion: string;
  /** When it was packaged, ISO 8601 UTC. */
  readonly createdAt: string;
  /** The plan of its (first) job, when the packager could build it. */
  readonly plan?: ArtifactPlan;
  /** Every member except the manifest itself. */
  readonly members: readonly ArtifactMember[];
}
