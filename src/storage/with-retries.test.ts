import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EddyError } from '../errors/eddy-error.ts';
import { retryDelay, withRetries, type RetryPolicy } from './with-retries.ts';

class Transient extends Error {}

function policy(
  extra: Partial<RetryPolicy> = {},
): RetryPolicy & { slept: number[]; log: string[] } {
  const slept: number[] = [];
  const log: string[] = [];
  return {
    maxAttempts: 5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    isRetryable: (e) => e instanceof Transient,
    onRetry: (m) => log.push(m),
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
    ...extra,
    slept,
    log,
  };
}

test('retries retryable failures with growing delays until the request succeeds', async () => {
  const p = policy();
  let calls = 0;
  const value = await withRetries('writing x', p, async (attempt) => {
    calls++;
    assert.equal(attempt, calls);
    if (calls < 4) throw new Transient('503 SlowDown');
    return 'done';
  });
  assert.equal(value, 'done');
  assert.equal(calls, 4);
  // Equal jitter at random 0.5: three quarters of 100, 200, 400.
  assert.deepEqual(p.slept, [75, 150, 300]);
  assert.equal(p.log.length, 3);
  assert.match(p.log[0] as string, /writing x failed \(Error: 503 SlowDown\); try 2 of 5 in 75 ms/);
});

test('gives up after maxAttempts with a retryable IO_ERROR naming the tries and the cause', async () => {
  const p = policy({ maxAttempts: 3 });
  let calls = 0;
  const last = new Transient('connection refused');
  await assert.rejects(
    withRetries('reading y', p, async () => {
      calls++;
      throw last;
    }),
    (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'IO_ERROR');
      assert.equal(e.domain, 'external');
      assert.equal(e.retryable, true);
      assert.equal(e.cause, last);
      assert.match(e.message, /reading y failed after 3 tries: Error: connection refused/);
      return true;
    },
  );
  assert.equal(calls, 3);
  assert.equal(p.slept.length, 2);
});

test('does not retry a failure the policy calls permanent', async () => {
  const p = policy();
  let calls = 0;
  const denied = new Error('AccessDenied');
  await assert.rejects(
    withRetries('listing z', p, async () => {
      calls++;
      throw denied;
    }),
    (e: unknown) => e === denied,
  );
  assert.equal(calls, 1);
  assert.deepEqual(p.slept, []);
});

test('delays double up to the cap and keep at least half of each step', () => {
  const p = policy({ baseDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => retryDelay(p, n, () => 0)),
    [50, 100, 200, 400, 500, 500],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => retryDelay(p, n, () => 0.999999)),
    [100, 200, 400, 800, 1000, 1000].map((d) => d - (d / 2) * 0.000001),
  );
});
