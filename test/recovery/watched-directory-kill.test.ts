/**
 * Issue #20, watched directories: files renamed into a watched directory while the job is
 * SIGKILLed again and again (10+ seeded kills, some during start-up and restore) are each read
 * exactly once — the committed output holds every line of every file once, with the keyed
 * running count it would have had in an uninterrupted run.
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs watched-directory-kill`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  KILL_SEED,
  assertEachOnce,
  committedLines,
  newestCheckpoint,
  prng,
  sleep,
} from '../support/kill-loop.ts';

const KILLS = 10;
const FILES = 40;
const LINES = 25;
const fixture = new URL('./fixtures/watch-job.ts', import.meta.url).pathname;

/** The job as a child process; its exit code, and whether it restored a checkpoint. */
function startJob(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal === null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { child, exit, restored: () => stderr.includes('restoring from') };
}

test(`files renamed into a watched directory during ${KILLS}+ SIGKILLs are each read once (seed ${KILL_SEED})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-watch-kill-'));
  const input = join(dir, 'in');
  mkdirSync(input);
  const random = prng(KILL_SEED);
  const pace = prng(KILL_SEED + 1);

  // The writer: a file every ~60 ms, written under a hidden name and renamed into place.
  let written = 0;
  const writer = (async () => {
    for (; written < FILES; written++) {
      const name = `f${String(written).padStart(3, '0')}`;
      const lines = Array.from({ length: LINES }, (_, j) => `${name}:${j}`);
      writeFileSync(join(input, `.${name}.tmp`), lines.map((l) => `${l}\n`).join(''));
      renameSync(join(input, `.${name}.tmp`), join(input, `${name}.txt`));
      await sleep(30 + pace() * 60);
    }
  })();

  let kills = 0;
  // Early kills (during start-up) may restore nothing yet: only kills after progress count, as
  // in killLoop (a seed drew 5 early kills of 10, and only 4 runs restored).
  let killsAfterProgress = 0;
  let restores = 0;
  while (killsAfterProgress < KILLS || written < FILES) {
    const run = startJob(dir);
    const early = random() < 0.2;
    if (early) {
      await sleep(random() * 400); // during start-up or restore
    } else {
      const target = newestCheckpoint(dir) + 1 + Math.floor(random() * 3);
      const deadline = Date.now() + 60_000;
      while (newestCheckpoint(dir) < target && Date.now() < deadline) await sleep(10);
      await sleep(random() * 60);
    }
    run.child.kill('SIGKILL');
    assert.equal(await run.exit, null, 'the job runs until it is killed');
    if (run.restored()) restores++;
    kills++;
    if (!early) killsAfterProgress++;
  }
  await writer;

  // The last run reads what is left; every line must be committed once.
  const last = startJob(dir);
  const expected: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const name = `f${String(i).padStart(3, '0')}`;
    for (let j = 0; j < LINES; j++) expected.push(`${name}:${j} #${j + 1}`);
  }
  expected.sort();
  const deadline = Date.now() + 120_000;
  while (new Set(committedLines(dir)).size < expected.length && Date.now() < deadline) {
    await sleep(100);
  }
  // Two more checkpoints: a duplicate would be committed by now.
  const settled = newestCheckpoint(dir) + 2;
  while (newestCheckpoint(dir) < settled && Date.now() < deadline) await sleep(20);
  last.child.kill('SIGKILL');
  await last.exit;

  assertEachOnce(committedLines(dir), expected, KILL_SEED);
  assert.ok(restores >= KILLS / 2, `only ${restores} of ${kills} runs restored a checkpoint`);
});
