/**
 * `eddy run job.ts | head -3` and the other commands that print a lot, through the real CLI
 * with its stdout's reader gone early (issue #14): the command stops quietly — exit 0, no EPIPE
 * stack — and a running job stops as a stop signal stops it (its savepoint written).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const JOB = 'test/cli/fixtures/prints-a-lot.ts';

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: readonly string[];
  readonly stderr: string;
  /** From closing the pipe to the process's exit. */
  readonly stopMs: number;
}

/**
 * Runs `eddy <args>` with stdout into a pipe that this side closes after `keep` lines, as
 * `| head -<keep>` does (0: closed before the command writes anything).
 */
function eddyIntoClosedPipe(args: readonly string[], keep: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/eddy.js', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let text = '';
    let closedAt = 0;
    const closePipe = (): void => {
      if (closedAt !== 0) return;
      closedAt = performance.now();
      child.stdout.destroy();
    };
    if (keep === 0) closePipe();
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.split('\n').length > keep) closePipe();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        lines: text.split('\n').slice(0, keep),
        stderr,
        stopMs: performance.now() - closedAt,
      }),
    );
  });
}

function assertQuiet(r: Ended, what: string): void {
  assert.equal(r.signal, null, `${what}: ${r.signal}`);
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|internal error|\n\s+at /, `${what}:\n${r.stderr}`);
}

describe('stdout closed early', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-closed-output-'));
  let savepoint = '';

  before(async () => {
    // `eddy run job.ts | head -3`, the job with checkpoints and --savepoint-on-stop.
    const r = await eddyIntoClosedPipe(
      ['run', JOB, '--checkpoint-dir', join(dir, 'cp'), '--savepoint-on-stop', join(dir, 'sp')],
      3,
    );
    assertQuiet(r, 'eddy run | head -3');
    assert.equal(r.lines.length, 3);
    assert.match(r.lines[0] ?? '', /^\{"i":0,/);
    const saved = existsSync(join(dir, 'sp')) ? readdirSync(join(dir, 'sp')) : [];
    assert.equal(saved.length, 1, `the job stopped with its savepoint:\n${r.stderr}`);
    savepoint = join(dir, 'sp', saved[0] as string);
    assert.match(r.stderr, /savepoint written to/);
  });

  it('eddy run | head -3 stops the job (its savepoint written) and exits 0 without a stack', () => {
    assert.notEqual(savepoint, '');
  });

  it('eddy run -p 2 | head -3 (worker threads) exits 0 without a stack', async () => {
    const r = await eddyIntoClosedPipe(['run', JOB, '-p', '2'], 3);
    assertQuiet(r, 'eddy run -p 2 | head -3');
    assert.ok(r.stopMs < 60_000, `stopped ${r.stopMs} ms after the pipe closed`);
  });

  it('eddy state | head -3 exits 0 without a stack', async () => {
    for (const extra of [[], ['--json']]) {
      const r = await eddyIntoClosedPipe(
        ['state', savepoint, '--operator', 'count', '--limit', '0', ...extra],
        3,
      );
      assertQuiet(r, `eddy state ${extra.join(' ')} | head -3`);
      assert.equal(r.lines.length, 3);
    }
  });

  it('eddy checkpoints and eddy plan into a pipe closed before they print exit 0 without a stack', async () => {
    for (const args of [
      ['checkpoints', savepoint],
      ['checkpoints', join(dir, 'cp')],
      ['plan', JOB],
      ['state', savepoint],
      ['--help'],
    ]) {
      assertQuiet(await eddyIntoClosedPipe(args, 0), `eddy ${args.join(' ')} | (closed)`);
    }
  });
});
