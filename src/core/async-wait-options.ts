/**
 * Settings of the async I/O operator: capacity, timeout, retries, failure handling.
 *
 * @module
 */
import type { Duration } from '../util/duration.ts';
import type { Context } from './functions/context.ts';

/**
 * When and how often a failed request is tried again, with exponential backoff (Flink's
 * `AsyncRetryStrategies`). `multiplier: 1` gives a fixed delay.
 */
export interface AsyncRetryOptions<O> {
  /** Attempts in total, the first one included (default 3). */
  readonly maxAttempts?: number;
  /** Delay before the first retry (default 100 ms). */
  readonly delay?: Duration;
  /** Each further retry waits `multiplier` times longer (default 2). */
  readonly multiplier?: number;
  /** Upper bound of a delay (default 10 s). */
  readonly maxDelay?: Duration;
  /** Whether a failed attempt is retried (default: every error). `attempt` counts from 1. */
  readonly retryOnError?: (error: unknown, attempt: number) => boolean;
  /** Whether a successful result is retried anyway (e.g. "not ready yet"); default never. */
  readonly retryOnResult?: (result: O, attempt: number) => boolean;
}

/** Settings of `AsyncDataStream.orderedWait` / `unorderedWait` and `mapAsync`. */
export interface AsyncWaitOptions<I, O> {
  /**
   * Time a record's request may take, retries and backoff included (default 30 s). Measured on
   * the job's processing-time clock.
   */
  readonly timeout?: Duration;
  /** Requests in flight per subtask (default 100); when full, the sources wait. */
  readonly capacity?: number;
  /** Retries of failed requests (default: none). */
  readonly retry?: AsyncRetryOptions<O>;
  /**
   * The result to emit for a record whose request timed out (for plain functions; an
   * `AsyncFunction` object may implement `timeout()` instead).
   */
  readonly onTimeout?: (value: I, ctx: Context<unknown>) => O;
  /**
   * What a failed or timed-out record does: `dead-letter` (default) sends it with its error to
   * the `ASYNC_FAILURES` side output and counts it; `fail-job` fails the job.
   */
  readonly onFailure?: 'dead-letter' | 'fail-job';
}

/** Settings of `DataStream.mapAsync`: those of the async operator, plus the output order. */
export interface MapAsyncOptions<I, O> extends AsyncWaitOptions<I, O> {
  /** `true` (default): results in input order; `false`: as they arrive (faster). */
  readonly ordered?: boolean;
}

/** The async operator's settings as plain plan data (functions live in the binding). */
export type AsyncWaitConfig = {
  readonly mode: 'ordered' | 'unordered';
  readonly capacity: number;
  readonly timeoutMs: number;
  readonly onFailure: 'dead-letter' | 'fail-job';
  readonly retry:
    | {
        readonly maxAttempts: number;
        readonly delayMs: number;
        readonly multiplier: number;
        readonly maxDelayMs: number;
      }
    | undefined;
};
