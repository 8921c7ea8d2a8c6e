/**
 * Regression tests of issue #17, defects 5, 6 and 10: a stop signal is honoured whenever it
 * arrives — while the job restores its checkpoint (in this thread or in the slots' threads), or
 * while it waits to restart after a failure — and `--savepoint-on-stop` tells by its exit code
 * whether the savepoint exists, on SIGTERM and SIGHUP alike.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEddy, type EddyExit, type EddyProcess } from '../support/eddy-process.ts';
import { newestCheckpoint, sleep } from '../support/kill-loop.ts';
import { waitFor } from '../support/wait-for.ts';

const fixture = new URL('./fixtures/counter-job.ts', import.meta.url).pathname;

function runArgs(dir: string, extra: readonly string[] = []): string[] {
  return [
    'run',
    fixture,
    '--checkpoint-interval',
    '50ms',
    '--checkpoint-dir',
    join(dir, 'chk'),
    ...extra,
  ];
}

/** An unbounded job: it ends only when stopped. */
function unbounded(dir: string, env: Readonly<Record<string, string>> = {}) {
  return { EDDY_TEST_OUT: join(dir, 'out'), EDDY_TEST_RECORDS: '0', ...env };
}

/** The process's exit, or a failure when it has not exited after `ms` (then it is killed). */
async function exitWithin(p: EddyProcess, ms: number, what: string): Promise<EddyExit> {
  const timer = sleep(ms).then(() => 'timeout' as const);
  const r = await Promise.race([p.exit, timer]);
  if (r === 'timeout') {
    p.child.kill('SIGKILL');
    assert.fail(`${what}: still running ${ms} ms later\n${p.stderr()}`);
  }
  return r;
}

/** Runs the unbounded job until it completed a checkpoint, then SIGKILLs it. */
async function checkpointAndKill(dir: string, extra: readonly string[] = []): Promise<void> {
  const p = startEddy(runArgs(dir, ['--quiet', ...extra]), unbounded(dir));
  await waitFor(() => existsSync(join(dir, 'chk', '_completed')) || p.stderr().includes('error'), {
    timeoutMs: 120_000,
    message: 'a completed checkpoint',
  });
  p.child.kill('SIGKILL');
  await p.exit;
}

describe('stop signals', { concurrency: true }, () => {
  it('SIGTERM while the checkpoint is being read stops the job before it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-stop-restore-'));
    await checkpointAndKill(dir);
    const { path } = JSON.parse(readFileSync(join(dir, 'chk', '_completed'), 'utf8')) as {
      path: string;
    };
    // A state file becomes a FIFO: reading the checkpoint blocks until this test writes to it.
    const file = join(path, readdirSync(path).find((f) => f.startsWith('state-')) as string);
    const bytes = readFileSync(file);
    renameSync(file, `${file}.orig`);
    execFileSync('mkfifo', [file]);
    const p = startEddy(runArgs(dir), unbounded(dir));
    const fifo = await open(file, 'w'); // returns once the job has opened it for reading
    p.child.kill('SIGTERM');
    await p.waitForStderr(/SIGTERM received/);
    await fifo.writeFile(bytes);
    await fifo.close();
    const r = await exitWithin(p, 60_000, 'SIGTERM during restore');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /job stopped before it was running again/);
    assert.match(r.stderr, /job "counter" CANCELED/);
  });

  it('SIGTERM while the slots restore on worker threads stops the job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-stop-slots-'));
    await checkpointAndKill(dir, ['-p', '2']);
    const gate = join(dir, 'gate');
    execFileSync('mkdir', [gate]);
    const p = startEddy(runArgs(dir, ['-p', '2']), unbounded(dir, { EDDY_TEST_GATE: gate }));
    // Both slots are starting: neither has built its part of the job yet.
    await waitFor(() => readdirSync(gate).length >= 2, {
      timeoutMs: 120_000,
      message: 'both worker threads at the gate',
    });
    p.child.kill('SIGTERM');
    await p.waitForStderr(/SIGTERM received/);
    await writeFile(join(gate, 'go'), '');
    const r = await exitWithin(p, 60_000, 'SIGTERM while the slots restore');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /job "counter" CANCELED/);
  });

  it('SIGTERM during a restart backoff stops the job cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-stop-backoff-'));
    const p = startEddy(
      runArgs(dir),
      unbounded(dir, { EDDY_TEST_FAIL_AT: '3000', EDDY_TEST_RESTART_DELAY: '10m' }),
    );
    await p.waitForStderr(/failing at record 3000 as asked\); restarting in 600000 ms/);
    p.child.kill('SIGTERM');
    const r = await exitWithin(p, 60_000, 'SIGTERM during the backoff');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|Unhandled|\n\s+at /);
    assert.match(r.stderr, /job stopped before it was running again/);
    assert.match(r.stderr, /job "counter" CANCELED/);
  });

  it('a --savepoint-on-stop that fails exits 1, saying no savepoint was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-stop-failed-savepoint-'));
    // A path under a regular file: no directory can be created there.
    const savepoints = '/dev/null/savepoints';
    const p = startEddy(runArgs(dir, ['--savepoint-on-stop', savepoints]), unbounded(dir));
    await waitFor(() => newestCheckpoint(dir) >= 1, { timeoutMs: 120_000, message: 'running' });
    p.child.kill('SIGTERM');
    const r = await exitWithin(p, 60_000, 'stop with a failing savepoint');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /the savepoint on stop failed, so the job stopped without one: .*ENOTDIR/,
    );
    assert.match(r.stderr, /no savepoint was written to \/dev\/null\/savepoints/);
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} with --savepoint-on-stop writes the savepoint and exits 0`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eddy-stop-savepoint-'));
      const savepoints = join(dir, 'savepoints');
      const p = startEddy(runArgs(dir, ['--savepoint-on-stop', savepoints]), unbounded(dir));
      await waitFor(() => newestCheckpoint(dir) >= 1, { timeoutMs: 120_000, message: 'running' });
      p.child.kill(signal);
      const r = await exitWithin(p, 60_000, `${signal} with a savepoint`);
      assert.equal(r.code, 0, r.stderr);
      const m = /savepoint written to (\S+)/.exec(r.stderr);
      assert.ok(m !== null, r.stderr);
      assert.ok(existsSync(join(m[1] as string, '_metadata')));
    });
  }
});
