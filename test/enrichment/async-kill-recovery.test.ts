/**
 * The async I/O kill test (the same procedure as `test/state/kill-recovery.test.ts`): the job of
 * `fixtures/async-kill-job.ts` enriches records through `mapAsync` with requests always in flight
 * and is SIGKILLed at seeded random moments (at least 10 times), restarted each time with the
 * same checkpoint directory. In-flight requests are part of the checkpoints and re-issued on
 * restore, so the committed output must hold every record enriched exactly once, equal to an
 * uninterrupted run.
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs async-kill-recovery`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KILL_SEED, committedLines, killLoop } from '../support/kill-loop.ts';

const KILLS = 10;
const fixture = new URL('./fixtures/async-kill-job.ts', import.meta.url).pathname;

test(`async I/O: SIGKILL ${KILLS}+ times with requests in flight, every record enriched exactly once (seed ${KILL_SEED})`, async () => {
  const { dir, referenceDir } = await killLoop(fixture, KILLS, KILL_SEED, 'eddy-async-kill');
  const expected = committedLines(referenceDir);
  const actual = committedLines(dir);
  assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
  assert.equal(actual.length, expected.length, `seed ${KILL_SEED}: record count differs`);
  assert.deepEqual(actual, expected, `seed ${KILL_SEED}`);
  // Every input record exactly once (timestamps are the record's position × 10).
  const positions = actual.map((l) => Number(l.split(' ')[0]) / 10).sort((a, b) => a - b);
  assert.ok(
    positions.every((p, i) => p === i),
    'a record is missing or duplicated',
  );
});
