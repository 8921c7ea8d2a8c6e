// Issue #17 defect 7: a user function in an endless loop. At -p 1 the job ran in the CLI's own
// thread, so SIGINT/SIGTERM were never handled and /metrics stopped answering (only SIGKILL
// ended it). Jobs run by `eddy run` now run on worker threads at any parallelism: the main
// thread keeps answering, and a cancelled job whose slot does not stop within
// taskCancellationTimeout has its thread terminated and fails saying so (Flink's task
// cancellation watchdog).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait-for.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(
    `a function stuck in a loop at -p 1: metrics answer, ${signal} stops the job`,
    { timeout: 300_000 },
    async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'eddy-stuck-')), 'stuck');
      const port = 20000 + Math.floor(Math.random() * 2000);
      const child = spawn(
        process.execPath,
        [
          'bin/eddy.js',
          'run',
          'test/reliability/fixtures/stuck-job.ts',
          '--metrics-port',
          String(port),
        ],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, STUCK_MARKER: marker },
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.resume();
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        await waitFor(() => existsSync(marker) || child.exitCode !== null, {
          timeoutMs: 240_000,
          message: 'the map is in its loop',
        });
        assert.equal(child.exitCode, null, stderr);
        // The slot posts no samples while stuck; the coordinator's thread still answers.
        const metrics = await waitFor(
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`);
            return res.ok ? res.text() : undefined;
          },
          { timeoutMs: 60_000, message: '/metrics answers while the slot is stuck' },
        );
        assert.match(metrics, /^eddy_/m);
        child.kill(signal);
        const code = await exited;
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`${signal} received, stopping`));
        assert.match(stderr, /the job did not stop within 2000 ms after it was cancelled/);
        assert.match(stderr, /slot 0 has been in one call for \d+ s/);
        assert.match(stderr, /its worker threads were terminated/);
        assert.doesNotMatch(stderr, /triggerUncaughtException|Unhandled/);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
}
