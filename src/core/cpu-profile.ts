/**
 * A V8 CPU profile of one thread (the `.cpuprofile` format Chrome DevTools opens), taken on
 * demand from a running job (`JobClient.profileSubtask`) for the dashboard's flame graphs.
 *
 * @module
 */

/** One function frame of a profile's call tree. */
export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly scriptId: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** A V8 CPU profile (`Profiler.Profile` of the DevTools protocol). */
export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  /** Microseconds. */
  readonly startTime: number;
  /** Microseconds. */
  readonly endTime: number;
  /** The node id of each sample. */
  readonly samples?: readonly number[];
  /** Microseconds between samples. */
  readonly timeDeltas?: readonly number[];
}

/** How long and how finely to sample. */
export interface CpuProfileOptions {
  /** How long to sample, ms. */
  readonly durationMs: number;
  /** Sampling interval, microseconds (V8's default is 1000). */
  readonly intervalUs: number;
}
