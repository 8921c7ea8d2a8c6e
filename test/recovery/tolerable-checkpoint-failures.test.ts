/**
 * Regression tests of issue #17, defect 11: checkpoint failures were tolerated without limit.
 * As in Flink, none is tolerated by default (the job fails and restarts from its newest completed
 * checkpoint as the restart strategy allows), `--tolerable-checkpoint-failures <n>` rides out n in
 * a row, and a failed final checkpoint is taken again within the tolerance instead of replaying
 * the input. The output stays exactly-once throughout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runEddy } from '../support/eddy-process.ts';
import { committedLines, expectedLines } from './counter-output.ts';

const fixture = new URL('./fixtures/declining-sink-job.ts', import.meta.url).pathname;
const RECORDS = 30_000;

function run(flags: readonly string[], env: Readonly<Record<string, string>>) {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-tolerable-'));
  const out = join(dir, 'out');
  const exit = runEddy(
    [
      'run',
      fixture,
      '--checkpoint-interval',
      '50ms',
      '--checkpoint-dir',
      join(dir, 'chk'),
      '--quiet',
      ...flags,
    ],
    { EDDY_TEST_OUT: out, EDDY_TEST_RECORDS: String(RECORDS), ...env },
  );
  return { exit, out };
}

describe('tolerable checkpoint failures', { concurrency: true }, () => {
  it('by default, one failed checkpoint fails the job', async () => {
    const { exit } = run(['--restart-strategy', 'none'], { EDDY_TEST_DECLINE: '2' });
    const r = await exit;
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: checkpoint 2 failed: .*the destination refused checkpoint 2 \(as asked\) \(1 in a row; 0 tolerated\)/,
    );
    assert.match(r.stderr, /--tolerable-checkpoint-failures <n>/);
  });

  it('the job restarts from its newest checkpoint and its output stays exactly-once', async () => {
    const { exit, out } = run([], { EDDY_TEST_DECLINE: '2' });
    const r = await exit;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /job failed \(checkpoint 2 failed: .*\); restarting in/);
    assert.match(r.stderr, /restoring from \S+chk-1\n/);
    assert.deepEqual(committedLines(out), expectedLines(RECORDS));
  });

  it('--tolerable-checkpoint-failures 2 rides out two in a row, not three', async () => {
    const ok = run(['--tolerable-checkpoint-failures', '2', '--restart-strategy', 'none'], {
      EDDY_TEST_DECLINE: '2,3,5,6',
    });
    const failed = run(['--tolerable-checkpoint-failures', '2', '--restart-strategy', 'none'], {
      EDDY_TEST_DECLINE: '2,3,4',
    });
    const r = await ok.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /checkpoint 6 failed/);
    assert.deepEqual(committedLines(ok.out), expectedLines(RECORDS));
    const f = await failed.exit;
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, /error: checkpoint 4 failed: .* \(3 in a row; 2 tolerated\)/);
  });

  it('a failed final checkpoint is taken again within the tolerance', async () => {
    const ok = run(['--tolerable-checkpoint-failures', '1', '--restart-strategy', 'none'], {
      EDDY_TEST_DECLINE_FINAL: '1',
    });
    const failed = run(['--restart-strategy', 'none'], { EDDY_TEST_DECLINE_FINAL: '1' });
    const r = await ok.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /taking the final checkpoint again \(1 of 1 tolerable failures\)/);
    assert.deepEqual(committedLines(ok.out), expectedLines(RECORDS));
    const f = await failed.exit;
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, /error: (the final checkpoint|checkpoint \d+) failed: /);
  });

  it('refuses a tolerance that is not a non-negative integer', async () => {
    const r = await run(['--tolerable-checkpoint-failures', '-1'], {}).exit;
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /--tolerable-checkpoint-failures must be a non-negative integer, got -1/,
    );
  });
});
