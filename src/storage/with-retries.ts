/**
 * Retries of one storage request with exponential backoff and jitter: object stores answer
 * throttling (503 SlowDown, 429) and transient 5xx errors as a matter of course, and a server
 * restart shows up as refused or reset connections for a few seconds.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';

/** How {@link withRetries} retries. */
export interface RetryPolicy {
  /** Tries in all, the first included (at least 1). */
  readonly maxAttempts: number;
  /** Delay before the first retry, doubled per retry. */
  readonly baseDelayMs: number;
  /** Longest delay. */
  readonly maxDelayMs: number;
  /** Whether a failure may go away when the request is sent again. */
  isRetryable(error: unknown): boolean;
  /** Told of each retry (what failed, which try is next, after how long). */
  onRetry?(message: string): void;
  /** Waits `ms` (tests make time pass faster). */
  sleep?(ms: number): Promise<void>;
  /** A number in [0, 1) for jitter. */
  random?(): number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The delay before retry number `retry` (1-based): half the exponential step fixed, half random
 * ("equal jitter"), so many clients that failed together spread out but none retries at once.
 */
export function retryDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return step / 2 + (step / 2) * random();
}

/**
 * Runs `request` until it succeeds, fails with an error `policy.isRetryable` refuses, or has been
 * tried `maxAttempts` times. The last failure is rethrown as an `EddyError` (`IO_ERROR`,
 * external, retryable) naming `what` and the number of tries, with the original as `cause`;
 * errors that were not retried are rethrown unchanged.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  request: (attempt: number) => Promise<T>,
): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  const max = Math.max(1, policy.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(attempt);
    } catch (e) {
      if (!policy.isRetryable(e)) throw e;
      if (attempt >= max) {
        throw new EddyError(`${what} failed after ${attempt} tries: ${describeError(e)}`, {
          code: 'IO_ERROR',
          domain: 'external',
          retryable: true,
          cause: e,
        });
      }
      const delay = Math.round(retryDelay(policy, attempt, policy.random));
      policy.onRetry?.(
        `${what} failed (${describeError(e)}); try ${attempt + 1} of ${max} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

/** A short description of a failure: its code or name and message. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const label = typeof code === 'string' ? code : e.name;
  return e.message === '' || e.message === label ? label : `${label}: ${e.message}`;
}
