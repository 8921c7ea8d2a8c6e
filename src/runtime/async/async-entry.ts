/**
 * One record inside the async I/O operator, from arrival to emission.
 *
 * @module
 */

/** Arrived, not started (the capacity is full). */
export const WAITING = 0;
/** Request (or a retry's backoff) in progress. */
export const RUNNING = 1;
/** Result (or failure) known, not yet emitted. */
export const DONE = 2;
/** Emitted downstream. */
export const EMITTED = 3;

export type AsyncEntryState = typeof WAITING | typeof RUNNING | typeof DONE | typeof EMITTED;

/** A record with its request's state and result. */
export class AsyncEntry {
  state: AsyncEntryState = WAITING;
  /** Attempts started; a late answer of an earlier attempt is ignored. */
  attempt = 0;
  /** The result, or an `AsyncFailure` when `failed`. */
  result: unknown = undefined;
  failed = false;
  startedAt = 0;
  deadline = Number.POSITIVE_INFINITY;
  /** Cancels a scheduled retry. */
  cancelRetry: (() => void) | undefined = undefined;
  /** Unordered mode: the watermark segment the record belongs to. */
  segment: unknown = undefined;

  constructor(
    readonly value: unknown,
    readonly timestamp: number,
  ) {}
}
