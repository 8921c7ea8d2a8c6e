// Issue #17 defect 7: a user function in an endless loop. At -p 1 the job ran in the CLI's own
// thread, so SIGINT/SIGTERM were never handled and /metrics stopped answering (only SIGKILL
// ended it); at -p 2 the stuck subtask reported busy 0 ms/s and checkpoints stalled silently
// until the 10-minute timeout. Jobs run by `eddy run` now run on worker threads at any
// parallelism: the main thread keeps answering and shows the stuck subtask 100 % busy, a
// checkpoint that times out names the subtasks that did not acknowledge and the stuck call, and a
// cancelled job whose slot does not stop within taskCancellationTimeout has its thread terminated
// and fails naming the stuck operator chain (Flink's task cancellation watchdog).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEddy } from '../support/eddy-process.ts';
import { waitFor } from '../support/wait-for.ts';

const FIXTURE = 'test/reliability/fixtures/stuck-job.ts';

/** The busy ratio per subtask of the operator chain headed by "gen", from a /metrics text. */
function busyOfGen(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('eddy_busy_time_ratio{') || !line.includes('operator="gen"')) continue;
    const subtask = /subtask="(\d+)"/.exec(line)?.[1];
    if (subtask !== undefined) out.set(subtask, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

for (const parallelism of [1, 2]) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(
      `a function stuck in a loop at -p ${parallelism}: metrics answer and show it 100 % busy, ${signal} stops the job naming it`,
      { timeout: 300_000 },
      async () => {
        const marker = join(mkdtempSync(join(tmpdir(), 'eddy-stuck-')), 'stuck');
        const port = 20000 + Math.floor(Math.random() * 2000);
        const eddy = startEddy(['run', FIXTURE, '--metrics-port', String(port)], {
          STUCK_MARKER: marker,
          STUCK_PARALLELISM: String(parallelism),
        });
        try {
          await waitFor(() => existsSync(marker) || eddy.child.exitCode !== null, {
            timeoutMs: 240_000,
            message: 'the map is in its loop',
          });
          assert.equal(eddy.child.exitCode, null, eddy.stderr());
          // The stuck slot posts no samples; the coordinator's thread still answers and shows
          // the subtask that runs the loop 100 % busy (the map is fused into the source's task).
          const busy = await waitFor(
            async () => {
              const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
              if (res?.ok !== true) return undefined;
              const b = busyOfGen(await res.text());
              return [...b.values()].includes(1) ? b : undefined;
            },
            { timeoutMs: 60_000, message: '/metrics shows the stuck subtask 100 % busy' },
          );
          assert.equal(busy.size, parallelism);
          if (parallelism === 2) {
            assert.equal(
              [...busy.values()].filter((v) => v === 1).length,
              1,
              `only the stuck subtask is 100 % busy: ${JSON.stringify([...busy])}`,
            );
          }
          eddy.child.kill(signal);
          const { code, stderr } = await eddy.exit;
          assert.equal(code, 1, stderr);
          assert.match(stderr, new RegExp(`${signal} received, stopping`));
          assert.match(stderr, /the job did not stop within 2000 ms after it was cancelled/);
          assert.match(
            stderr,
            new RegExp(
              `slot \\d has been in one call for \\d+ s, in "gen -> spin -> blackhole" \\(subtask \\d of ${parallelism}\\)`,
            ),
          );
          assert.match(stderr, /its worker threads were terminated/);
          assert.doesNotMatch(stderr, /triggerUncaughtException|Unhandled/);
        } finally {
          if (eddy.child.exitCode === null) eddy.child.kill('SIGKILL');
        }
      },
    );
  }
}

test(
  'a function stuck in a loop at -p 2 fails its checkpoint within the checkpoint timeout, naming the subtask',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-stuck-cp-'));
    const eddy = startEddy(
      ['run', FIXTURE, '--checkpoint-dir', join(dir, 'chk'), '--restart-strategy', 'none'],
      { STUCK_MARKER: join(dir, 'stuck'), STUCK_PARALLELISM: '2', STUCK_CHECKPOINTS: '1' },
    );
    try {
      // The checkpoint timeout is 4 s: the failure comes long before the 10-minute default.
      const { code, stderr } = await eddy.exit;
      assert.equal(code, 1, stderr);
      assert.match(
        stderr,
        /checkpoint \d+ failed: timed out after 4000 ms: not acknowledged by "gen" \(subtask \d of 2\), "spin" \(subtask \d of 2\)/,
      );
      assert.match(
        stderr,
        /slot \d has been in one call for \d+ s, in "gen -> spin -> blackhole" \(subtask \d of 2\) \(a user function that does not return\?\)/,
      );
      assert.match(stderr, /CHECKPOINT_FAILED|checkpoint \d+ failed/);
      assert.doesNotMatch(stderr, /triggerUncaughtException|Unhandled/);
    } finally {
      if (eddy.child.exitCode === null) eddy.child.kill('SIGKILL');
    }
  },
);
