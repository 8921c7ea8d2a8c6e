/**
 * Regression test of issue #17, defect 9: two runs on one checkpoint directory committed the same
 * output twice and deleted each other's files. The directory is locked for the life of a run; a
 * second run fails at once naming the holder, and the lock a SIGKILLed run left behind is taken
 * over.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CheckpointDirectoryLock,
  LOCK_FILE,
} from '../../src/runtime/checkpoint/checkpoint-directory-lock.ts';
import { processStartTime } from '../../src/util/process-liveness.ts';
import { runEddy, startEddy } from '../support/eddy-process.ts';
import { newestCheckpoint } from '../support/kill-loop.ts';
import { waitFor } from '../support/wait-for.ts';
import { committedLines, duplicates, expectedLines } from './counter-output.ts';

const fixture = new URL('./fixtures/counter-job.ts', import.meta.url).pathname;
const RECORDS = 60_000;

function runArgs(dir: string): string[] {
  return ['run', fixture, '--checkpoint-interval', '50ms', '--checkpoint-dir', join(dir, 'chk')];
}

describe('the checkpoint directory lock', { concurrency: true }, () => {
  it('refuses a second run on the directory and is taken over after a SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-lock-'));
    const env = { EDDY_TEST_OUT: join(dir, 'out'), EDDY_TEST_RECORDS: String(RECORDS) };
    const first = startEddy(runArgs(dir), { ...env, EDDY_TEST_RATE: '5000' });
    await waitFor(() => newestCheckpoint(dir) >= 1, { timeoutMs: 120_000, message: 'running' });

    const second = await runEddy(runArgs(dir), env);
    assert.equal(second.code, 1, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(
        `checkpoint directory \\S+chk is in use by another run: pid ${first.child.pid} on this host since \\S+ \\(\\S*eddy.js run \\S*counter-job.ts`,
      ),
    );
    assert.match(
      second.stderr,
      /hint: stop that run first, or give this one its own --checkpoint-dir/,
    );

    // The first run went on undisturbed; killed, it leaves its lock behind.
    const before = newestCheckpoint(dir);
    await waitFor(() => newestCheckpoint(dir) > before, {
      timeoutMs: 120_000,
      message: 'more checkpoints',
    });
    first.child.kill('SIGKILL');
    await first.exit;
    assert.ok(existsSync(join(dir, 'chk', LOCK_FILE)));

    const third = await runEddy(runArgs(dir), env);
    assert.equal(third.code, 0, third.stderr);
    assert.match(
      third.stderr,
      new RegExp(`took over the lock of \\S+ from pid ${first.child.pid}, which no longer runs`),
    );
    const lines = committedLines(join(dir, 'out'));
    assert.deepEqual(duplicates(lines), []);
    assert.deepEqual(lines, expectedLines(RECORDS));
    assert.ok(!existsSync(join(dir, 'chk', LOCK_FILE)), 'released at the end');
  });

  it('takes over a lock whose pid now belongs to another process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-lock-reused-'));
    mkdirSync(dir, { recursive: true });
    // This process is alive, but it started at another time than the lock's holder.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        processStart: `${Number(processStartTime(process.pid) ?? 0) + 1}`,
        since: new Date(0).toISOString(),
        command: 'an earlier run',
        token: 'old',
      }),
    );
    const logs: string[] = [];
    const lock = CheckpointDirectoryLock.acquire(dir, (m) => logs.push(m));
    assert.match(logs.join(), /took over the lock/);
    assert.equal(
      (JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { token: string }).token,
      lock.holder.token,
    );
    // A lock held by a live process is refused, in this process too.
    assert.throws(
      () => CheckpointDirectoryLock.acquire(dir, () => {}),
      (e: Error & { code?: string }) =>
        e.code === 'CHECKPOINT_DIR_LOCKED' && e.message.includes(`pid ${process.pid}`),
    );
    lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    // A finished process's id no longer runs.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: Number(gone.stdout),
        host: hostname(),
        since: '',
        command: '',
        token: 'x',
      }),
    );
    CheckpointDirectoryLock.acquire(dir, () => {}).release();
  });
});
