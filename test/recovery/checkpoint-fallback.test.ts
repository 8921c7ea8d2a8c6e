/**
 * Regression tests of issue #17, defects 1 and 2: a job killed with SIGKILL after a few
 * checkpoints, whose newest completed checkpoint is then damaged, must not fall back to an older
 * one silently (its exactly-once output would be committed twice), nor start from empty state
 * when no checkpoint is readable; it fails naming the damage, keeps the evidence, and
 * `--from-savepoint <older checkpoint>` accepts the older state explicitly.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runEddy, startEddy } from '../support/eddy-process.ts';
import { newestCheckpoint, sleep } from '../support/kill-loop.ts';
import { committedLines, expectedLines } from './counter-output.ts';

const fixture = new URL('./fixtures/counter-job.ts', import.meta.url).pathname;
const RECORDS = 60_000;

function runArgs(dir: string, extra: readonly string[] = []): string[] {
  return [
    'run',
    fixture,
    '--checkpoint-interval',
    '50ms',
    '--checkpoint-dir',
    join(dir, 'chk'),
    '--quiet',
    ...extra,
  ];
}

function testEnv(dir: string): Record<string, string> {
  return { EDDY_TEST_OUT: join(dir, 'out'), EDDY_TEST_RECORDS: String(RECORDS) };
}

/** Runs the job until `checkpoints` checkpoints completed, then SIGKILLs it. */
async function runAndKill(dir: string, checkpoints: number, extra: readonly string[] = []) {
  const p = startEddy(runArgs(dir, extra), testEnv(dir));
  let exited = false;
  void p.exit.then(() => (exited = true));
  while (newestCheckpoint(dir) < checkpoints) {
    if (exited) assert.fail(`the job ended before ${checkpoints} checkpoints:\n${p.stderr()}`);
    await sleep(10);
  }
  p.child.kill('SIGKILL');
  await p.exit;
}

/** Completed checkpoint ids (with `_metadata`), ascending. */
function completedIds(dir: string): number[] {
  return readdirSync(join(dir, 'chk'))
    .filter((d) => /^chk-\d+$/.test(d) && existsSync(join(dir, 'chk', d, '_metadata')))
    .map((d) => Number(d.slice(4)))
    .sort((a, b) => a - b);
}

/** The id in `chk/_completed`: the newest checkpoint that committed output. */
function committedId(dir: string): number {
  return (
    JSON.parse(readFileSync(join(dir, 'chk', '_completed'), 'utf8')) as { checkpointId: number }
  ).checkpointId;
}

const corruptions: Record<string, (chk: string) => void> = {
  'flipped bytes in a state file': (chk) => {
    const f = join(chk, readdirSync(chk).find((n) => n.startsWith('state-')) as string);
    const b = readFileSync(f);
    for (let i = 0; i < b.length; i += 7) b[i] = (b[i] as number) ^ 0xff;
    writeFileSync(f, b);
  },
  'a truncated state file': (chk) => {
    const files = readdirSync(chk).filter((n) => n.startsWith('state-'));
    const f = files
      .map((n) => join(chk, n))
      .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0] as string;
    truncateSync(f, Math.floor(readFileSync(f).length / 2));
  },
  'a deleted _metadata': (chk) => rmSync(join(chk, '_metadata')),
  'the whole checkpoint directory deleted': (chk) => rmSync(chk, { recursive: true }),
};

describe('a damaged checkpoint whose output was committed', { concurrency: true }, () => {
  for (const [what, corrupt] of Object.entries(corruptions)) {
    it(`refuses to fall back past it (${what}), then accepts the older one when asked`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eddy-fallback-'));
      await runAndKill(dir, 3);
      // The newest checkpoint whose completion let the sink commit. A kill between a newer
      // one's _metadata and its record leaves that one complete but uncommitted: removing it is
      // the same as killing a moment earlier.
      const newest = committedId(dir);
      for (const id of completedIds(dir)) {
        if (id > newest) rmSync(join(dir, 'chk', `chk-${id}`), { recursive: true });
      }
      const older = completedIds(dir)
        .filter((id) => id < newest)
        .at(-1);
      if (older === undefined) return assert.fail('expected two retained checkpoints');
      corrupt(join(dir, 'chk', `chk-${newest}`));
      const before = committedLines(join(dir, 'out'));

      const refused = await runEddy(runArgs(dir), testEnv(dir));
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(`checkpoint ${newest} completed and its output was committed`),
      );
      assert.match(refused.stderr, new RegExp(`chk-${newest}: `));
      assert.match(refused.stderr, new RegExp(`--from-savepoint \\S*chk-${older}`));
      assert.deepEqual(committedLines(join(dir, 'out')), before, 'nothing was written again');
      assert.ok(existsSync(join(dir, 'chk', `chk-${older}`)), 'the older checkpoint is kept');

      const accepted = await runEddy(
        runArgs(dir, ['--from-savepoint', join(dir, 'chk', `chk-${older}`)]),
        testEnv(dir),
      );
      assert.equal(accepted.code, 0, accepted.stderr);
      // Every line is there; what checkpoint `newest` had committed may now be there twice.
      assert.deepEqual([...new Set(committedLines(join(dir, 'out')))], expectedLines(RECORDS));
    });
  }
});

describe('no readable checkpoint', { concurrency: true }, () => {
  it('fails instead of starting from empty state, and keeps the checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-unreadable-'));
    await runAndKill(dir, 2);
    const ids = completedIds(dir);
    for (const id of ids) writeFileSync(join(dir, 'chk', `chk-${id}`, '_metadata'), 'garbage\n');
    const before = committedLines(join(dir, 'out'));

    const r = await runEddy(runArgs(dir), testEnv(dir));
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /\d+ checkpoints? in \S+, none readable; refusing to start from empty state/,
    );
    assert.match(r.stderr, /_metadata has no valid header/);
    assert.deepEqual(committedLines(join(dir, 'out')), before, 'nothing was written again');
    assert.deepEqual(completedIds(dir), ids, 'the damaged checkpoints are kept');

    const listed = await runEddy(['checkpoints', join(dir, 'chk')]);
    assert.equal(listed.code, 1, listed.stdout);
    assert.match(listed.stdout, /INVALID/);
    assert.match(listed.stdout, /a job started on this directory refuses to start: /);
  });

  it('starts from empty state when no checkpoint ever completed', async () => {
    // A run killed while writing its first checkpoint leaves a directory without _metadata.
    const dir = mkdtempSync(join(tmpdir(), 'eddy-incomplete-'));
    await runAndKill(dir, 1);
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    rmSync(join(dir, 'chk', '_completed'), { force: true });
    for (const id of completedIds(dir)) rmSync(join(dir, 'chk', `chk-${id}`, '_metadata'));
    const listed = await runEddy(['checkpoints', join(dir, 'chk')]);
    assert.equal(listed.code, 0, listed.stdout);
    assert.match(listed.stdout, /starts from empty state/);
    const r = await runEddy(runArgs(dir), testEnv(dir));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /skipping incomplete checkpoint/);
    assert.deepEqual(committedLines(join(dir, 'out')), expectedLines(RECORDS));
  });

  it('eddy checkpoints names the checkpoint a restart resumes from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-listed-'));
    await runAndKill(dir, 1);
    const listed = await runEddy(['checkpoints', join(dir, 'chk')]);
    assert.equal(listed.code, 0, listed.stdout);
    assert.match(listed.stdout, /a job started on this directory resumes from \S+chk-\d+\n/);
  });
});
