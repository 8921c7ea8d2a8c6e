/**
 * Bounds on what reading an artifact may cost. An artifact can come from anywhere (an upload to
 * the server), so its reader refuses archives that would use more memory or disk than these allow
 * before inflating anything.
 *
 * @module
 */

/** Bounds on an artifact's size and contents; see {@link DEFAULT_ARTIFACT_LIMITS}. */
export interface ArtifactLimits {
  /** Largest artifact file, in bytes. */
  readonly maxArtifactBytes: number;
  /** Most members (files) in one artifact. */
  readonly maxMembers: number;
  /** Largest total of the members' uncompressed sizes, in bytes. */
  readonly maxTotalBytes: number;
  /**
   * Largest ratio of a member's uncompressed to compressed size, for members over 1 MiB. Bundled
   * JavaScript deflates about 4:1; a ratio far past this is an archive built to exhaust memory.
   */
  readonly maxInflateRatio: number;
}

/** The limits used when none are given: generous for applications, tight for zip bombs. */
export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = Object.freeze({
  maxArtifactBytes: 256 * 1024 * 1024,
  maxMembers: 1000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxInflateRatio: 100,
});
