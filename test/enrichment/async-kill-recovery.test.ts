/**
 * The async I/O kill test (the same procedure as `test/state/kill-recovery.test.ts`): the job of
 * `fixtures/async-kill-job.ts` enriches records through `mapAsync` with requests always in flight
 * and is SIGKILLed at seeded random moments (at least 10 times), restarted each time with the
 * same checkpoint directory. In-flight requests are part of the checkpoints and re-issued on
 * restore, so the committed output must hold every record enriched exactly once, equal to an
 * uninterrupted run.
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs async-kill-recovery`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const SEED = Number(process.env['EDDY_KILL_SEED'] ?? Date.now() % 100_000);
const KILLS = 10;
const fixture = new URL('./fixtures/async-kill-job.ts', import.meta.url).pathname;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let restores = 0;

function start(dir: string): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, String(SEED)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    if (text.includes('restoring from')) restores++;
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { child, exit };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The id of the newest checkpoint directory (complete or not), 0 when none. */
function newestCheckpoint(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'chk'));
  } catch {
    return 0;
  }
  let max = 0;
  for (const n of names) if (/^chk-\d+$/.test(n)) max = Math.max(max, Number(n.slice(4)));
  return max;
}

function committed(dir: string): string[] {
  const out = join(dir, 'out');
  const lines: string[] = [];
  for (const f of readdirSync(out).filter((f) => !f.startsWith('.')))
    lines.push(
      ...readFileSync(join(out, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  return lines.sort();
}

test(`async I/O: SIGKILL ${KILLS}+ times with requests in flight, every record enriched exactly once (seed ${SEED})`, async () => {
  const refDir = mkdtempSync(join(tmpdir(), 'eddy-async-kill-ref-'));
  const dir = mkdtempSync(join(tmpdir(), 'eddy-async-kill-'));
  const reference = start(refDir);
  const random = prng(SEED);
  let kills = 0;
  for (;;) {
    const { child, exit } = start(dir);
    if (kills >= KILLS) {
      assert.equal(await exit, 0, 'the last run must finish');
      break;
    }
    // Kill at a random moment after the run has completed a new checkpoint (so every life makes
    // progress, however slow the machine), and now and then early, during startup and restore.
    let first: number | null | 'kill';
    if (random() < 0.2) {
      const early = new Promise<'kill'>((r) => setTimeout(() => r('kill'), random() * 400));
      first = await Promise.race([exit, early]);
    } else {
      const target = newestCheckpoint(dir) + 1 + Math.floor(random() * 3);
      const progressed = (async () => {
        while (newestCheckpoint(dir) < target) await sleep(10);
        await sleep(random() * 60);
        return 'kill' as const;
      })();
      first = await Promise.race([exit, progressed]);
    }
    if (first !== 'kill') {
      assert.fail(`the job finished after only ${kills} kills (seed ${SEED}); make it longer`);
    }
    child.kill('SIGKILL');
    await exit;
    kills++;
  }
  assert.equal(await reference.exit, 0);
  // Progress must come from checkpoints, not from one lucky run from scratch.
  assert.ok(restores >= KILLS / 2, `only ${restores} runs restored from a checkpoint`);
  const expected = committed(refDir);
  const actual = committed(dir);
  assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
  assert.equal(actual.length, expected.length, `seed ${SEED}: record count differs`);
  assert.deepEqual(actual, expected, `seed ${SEED}`);
  // Every input record exactly once (timestamps are the record's position × 10).
  const positions = actual.map((l) => Number(l.split(' ')[0]) / 10).sort((a, b) => a - b);
  assert.ok(
    positions.every((p, i) => p === i),
    'a record is missing or duplicated',
  );
});
