/**
 * The settings of an interval-join plan node.
 *
 * @module
 */

/** The bounds of an interval join, as the operator reads them (binding `extra.intervalJoin`). */
export interface IntervalJoinSpec {
  /** Inclusive lower bound in ms (exclusive bounds already moved by 1 ms). */
  readonly lower: number;
  /** Inclusive upper bound in ms. */
  readonly upper: number;
  /** Side-output tag ids for late records of each side (dropped and counted when absent). */
  readonly leftLateTag?: string | undefined;
  readonly rightLateTag?: string | undefined;
}
