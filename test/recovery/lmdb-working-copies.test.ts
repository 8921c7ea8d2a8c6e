/**
 * Regression tests of issue #17, defect 12: the LMDB state backend left its working copy behind
 * on every SIGKILL (8 kills, 270 MB), and reported a full state disk as a failed user function.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runEddy, startEddy } from '../support/eddy-process.ts';
import { newestCheckpoint } from '../support/kill-loop.ts';
import { mountSmallDisk } from '../support/small-disk.ts';
import { waitFor } from '../support/wait-for.ts';
import { committedLines, expectedLines } from './counter-output.ts';

const counterJob = new URL('./fixtures/counter-job.ts', import.meta.url).pathname;
const bigStateJob = new URL('./fixtures/big-state-job.ts', import.meta.url).pathname;
const RECORDS = 40_000;

describe('the LMDB state backend', { concurrency: true }, () => {
  it('removes the working copies SIGKILLed runs left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-kill-'));
    const state = join(dir, 'state');
    const args = [
      'run',
      counterJob,
      '--state-backend',
      'lmdb',
      '--state-dir',
      state,
      '--checkpoint-interval',
      '50ms',
      '--checkpoint-dir',
      join(dir, 'chk'),
      '--quiet',
    ];
    const env = { EDDY_TEST_OUT: join(dir, 'out'), EDDY_TEST_RECORDS: String(RECORDS) };
    for (let kill = 1; kill <= 3; kill++) {
      const target = newestCheckpoint(dir) + 1;
      const p = startEddy(args, env);
      await waitFor(() => newestCheckpoint(dir) >= target, {
        timeoutMs: 120_000,
        message: `checkpoint ${target}`,
      });
      p.child.kill('SIGKILL');
      await p.exit;
      // Only this run's copy: the previous runs' were removed when it started.
      assert.equal(readdirSync(state).length, 1, readdirSync(state).join());
    }
    const r = await runEddy(args, env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(state), [], 'nothing left after a run that ended');
    assert.deepEqual(committedLines(join(dir, 'out')), expectedLines(RECORDS));
  });

  // 4 MiB: full at the first write. 64 MiB: full after some writes went into the mapped file,
  // where a write the disk has no block for is a SIGBUS unless free space is checked first.
  for (const mib of [4, 64]) {
    it(`reports a full state disk (${mib} MiB) as a disk problem, not a failed function`, async (t) => {
      const disk = mountSmallDisk(mib * 1024 * 1024);
      if (typeof disk === 'string') return t.skip(disk);
      try {
        const r = await runEddy([
          'run',
          bigStateJob,
          '--state-backend',
          'lmdb',
          '--state-dir',
          disk.path,
          '--restart-strategy',
          'none',
        ]);
        assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
        assert.equal(r.code, 1, r.stderr);
        assert.match(
          r.stderr,
          /error: operator "Map": the LMDB state backend could not write to \S+: the disk is full \(\d+ bytes free; /,
        );
        assert.match(r.stderr, /hint: free space on that disk, or point stateDir \(--state-dir\)/);
        assert.doesNotMatch(r.stderr, /user function failed|fix the function/);
        assert.deepEqual(readdirSync(disk.path), [], 'the working copy is removed');
      } finally {
        disk.unmount();
      }
    });
  }
});
