// Issue #17 defect 13: out of memory at -p 1 died with V8's fatal error (SIGABRT) and no Eddy
// message; a `retryable: false` user error was restarted forever; a map's exception did not name
// the record. Each case runs `eddy run` as a user would.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEddy } from '../support/eddy-process.ts';

/** A directory with one JSON-lines file of 1 000 events `{k, i, ts}` (ten keys, 1 s apart). */
function input(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-failing-map-'));
  let text = '';
  for (let i = 0; i < 1000; i++)
    text += `${JSON.stringify({ k: `user-${i % 10}`, i, ts: 1_700_000_000_000 + i * 1000 })}\n`;
  writeFileSync(join(dir, 'events.jsonl'), text);
  return dir;
}

describe('user failures', { timeout: 300_000 }, () => {
  it('out of heap at -p 1 ends with an Eddy error naming the limit and the flag, not V8 abort', async () => {
    const eddy = startEddy(['run', 'test/reliability/fixtures/oom-job.ts'], {
      NODE_OPTIONS: '--max-old-space-size=96',
    });
    const { code, signal, stderr } = await eddy.exit;
    assert.equal(signal, null, stderr);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /slot 0 ran out of JavaScript heap memory \(its limit is 96 MiB\)/);
    assert.match(stderr, /hint: raise the limit with NODE_OPTIONS=--max-old-space-size=<MiB>/);
    assert.doesNotMatch(stderr, /FATAL ERROR|Reached heap limit|restarting/);
  });

  it('a map error names the operator and the record: key, timestamp, file and line', async () => {
    const eddy = startEddy(
      ['run', 'test/reliability/fixtures/failing-map-job.ts', '--restart-strategy', 'none'],
      { EDDY_TEST_IN: input(), EDDY_TEST_FAIL_AT: '437' },
    );
    const { code, stderr } = await eddy.exit;
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /operator "price", defined at [^\n]*failing-map-job\.ts:\d+:\d+: user function failed: cannot read the price of record 437\n {2}record: key "user-7", timestamp 1700000437000 \(2023-11-14T22:20:37\.000Z\), at [^\n]*events\.jsonl:438\n/,
    );
  });

  it('a user error marked retryable: false is not restarted, though checkpoints make restarts the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-fatal-'));
    const eddy = startEddy(
      [
        'run',
        'test/reliability/fixtures/failing-map-job.ts',
        '--checkpoint-interval',
        '1s',
        '--checkpoint-dir',
        join(dir, 'chk'),
      ],
      { EDDY_TEST_IN: input(), EDDY_TEST_FAIL_AT: '437', EDDY_TEST_ERROR: 'fatal' },
    );
    const { code, stderr } = await eddy.exit;
    assert.equal(code, 1, stderr);
    assert.doesNotMatch(stderr, /restarting in/);
    // The error the user threw keeps its words and gains the operator and the record.
    assert.match(
      stderr,
      /error: operator "price", defined at [^\n]*: region of user-7 is not configured\n {2}record: key "user-7", timestamp 1700000437000/,
    );
  });
});
