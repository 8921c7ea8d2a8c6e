/**
 * The kill test: the job of `fixtures/kill-job.ts` runs as a child process and is SIGKILLed at
 * seeded random moments (at least 10 times), restarted each time with the same checkpoint
 * directory; its committed output must equal that of an uninterrupted run, record for record.
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs kill-recovery`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KILL_SEED, committedLines, killLoop, type Launcher } from '../support/kill-loop.ts';

const KILLS = 10;
const fixture = new URL('./fixtures/kill-job.ts', import.meta.url).pathname;
const eddy = new URL('../../bin/eddy.js', import.meta.url).pathname;

/** `eddy run` on worker threads: one per slot, barriers and acknowledgements across threads. */
const threads: Launcher = (job, dir, seed) => ({
  args: [eddy, 'run', job, '--runtime-mode', 'threads', '--quiet'],
  env: { EDDY_KILL_DIR: dir, EDDY_KILL_JOB_SEED: String(seed) },
});

test(`SIGKILL ${KILLS}+ times, output equals an uninterrupted run (seed ${KILL_SEED})`, async () => {
  const { dir, referenceDir } = await killLoop(fixture, KILLS);
  const expected = committedLines(referenceDir);
  const actual = committedLines(dir);
  assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
  assert.equal(actual.length, expected.length, `seed ${KILL_SEED}: record count differs`);
  assert.deepEqual(actual, expected, `seed ${KILL_SEED}`);
});

test(`on worker threads: SIGKILL ${KILLS}+ times, output equals an uninterrupted run (seed ${KILL_SEED})`, async () => {
  const { dir, referenceDir } = await killLoop(
    fixture,
    KILLS,
    KILL_SEED,
    'eddy-kill-threads',
    threads,
  );
  const expected = committedLines(referenceDir);
  const actual = committedLines(dir);
  assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
  assert.equal(actual.length, expected.length, `seed ${KILL_SEED}: record count differs`);
  assert.deepEqual(actual, expected, `seed ${KILL_SEED}`);
});
