/**
 * Polling with a deadline, for tests that wait on an external system (a broker, a process)
 * instead of sleeping for a guessed duration.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  readonly intervalMs?: number;
  /** Says what was awaited, in the error thrown on timeout. */
  readonly message?: string;
}

/**
 * Calls `probe` until it returns a value other than `false`, `null` or `undefined`, and returns
 * that value. Errors thrown by `probe` count as "not yet"; the last one is the timeout's cause.
 */
export async function waitFor<T>(
  probe: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for: ${options.message ?? 'condition'}`,
        {
          cause: lastError,
        },
      );
    }
    await sleep(intervalMs);
  }
}
