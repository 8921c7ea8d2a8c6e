/**
 * The dead-letter side output of async I/O operators: records whose request failed or timed out.
 *
 * @module
 */
import { OutputTag } from './output-tag.ts';

/** Tag id of the async I/O dead-letter side output. */
export const ASYNC_FAILURES_TAG_ID = 'async-failures';

/** A record whose asynchronous request failed (after its retries) or timed out. */
export interface AsyncFailure<I = unknown> {
  /** The input record. */
  readonly value: I;
  /** Its event timestamp, if it had one. */
  readonly timestamp: number | undefined;
  /** `timeout`: the request took longer than the timeout; `error`: it failed. */
  readonly reason: 'timeout' | 'error';
  /** The error: an EddyError (code `TIMEOUT` or `USER_FUNCTION_FAILED`) with the original as `cause`. */
  readonly error: Error;
  /** Attempts made (1 without retries). */
  readonly attempts: number;
}

/**
 * The side output that receives {@link AsyncFailure}s from `AsyncDataStream.orderedWait`,
 * `unorderedWait`, `mapAsync` and `LookupJoin` (the default `onFailure: 'dead-letter'`).
 *
 * @example
 * ```ts
 * const enriched = AsyncDataStream.unorderedWait(clicks, lookupProfile, { timeout: '1s' });
 * enriched.getSideOutput(ASYNC_FAILURES).print({ prefix: 'enrichment failed' });
 * ```
 */
export const ASYNC_FAILURES: OutputTag<AsyncFailure> = new OutputTag<AsyncFailure>(
  ASYNC_FAILURES_TAG_ID,
);
