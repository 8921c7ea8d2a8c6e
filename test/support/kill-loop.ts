/**
 * The SIGKILL procedure shared by the exactly-once kill tests: a job fixture runs as a child
 * process with a checkpoint directory and is killed at seeded random moments — mostly after it
 * completed a new checkpoint (so every life makes progress, however slow the machine), sometimes
 * early, during start-up and restore — then started again with the same directory, until it has
 * been killed `kills` times; the last run must finish. Replay a failure with `EDDY_KILL_SEED`.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The seed of this run: `EDDY_KILL_SEED`, or a fresh one (printed in the test name). */
export const KILL_SEED = Number(process.env['EDDY_KILL_SEED'] ?? Date.now() % 100_000);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The id of the newest *completed* checkpoint under `dir/chk` (its `_metadata` is in place), 0
 * when none. A directory alone is a checkpoint still being written: killing right after it
 * appears can land before it completes every time on a slow machine, and the next life then has
 * nothing newer to restore.
 */
export function newestCheckpoint(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'chk'));
  } catch {
    return 0;
  }
  let max = 0;
  for (const n of names) {
    if (!/^chk-\d+$/.test(n)) continue;
    const id = Number(n.slice(4));
    if (id > max && existsSync(join(dir, 'chk', n, '_metadata'))) max = id;
  }
  return max;
}

/** The committed lines of the part files under `dir/out` (hidden in-progress files left out), sorted. */
export function committedLines(dir: string): string[] {
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

/** A running fixture. */
interface Run {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
}

/** The outcome of {@link killLoop}. */
export interface KillLoopResult {
  /** Directory of the killed runs (`chk/`, `out/`). */
  readonly dir: string;
  /** Directory of the uninterrupted reference run. */
  readonly referenceDir: string;
  /** Runs that restored from a checkpoint. */
  readonly restores: number;
}

/** How to start a fixture: node arguments and extra environment variables. */
export type Launcher = (
  fixture: string,
  dir: string,
  seed: number,
) => { readonly args: readonly string[]; readonly env?: Readonly<Record<string, string>> };

/** `node --import tsx <fixture> <dir> <seed>`: the job runs in the child's main thread. */
export const directLauncher: Launcher = (fixture, dir, seed) => ({
  args: ['--import', 'tsx', fixture, dir, String(seed)],
});

/** The id of the newest completed checkpoint of the run in `dir` (see {@link newestCheckpoint}). */
export type CheckpointProbe = (dir: string) => number | Promise<number>;

/**
 * Runs the fixture once uninterrupted (the reference) and once killed `kills` times after it made
 * progress (plus the early kills in between, during start-up and restore, which a seed may draw
 * several of in a row and which cannot restore anything yet), and asserts that both finish and
 * that at least half the restarts restored a checkpoint. `progress` finds
 * the newest completed checkpoint (default: under `dir/chk`; object storage passes its own).
 */
export async function killLoop(
  fixture: string,
  kills: number,
  seed = KILL_SEED,
  label = 'eddy-kill',
  launch: Launcher = directLauncher,
  progress: CheckpointProbe = newestCheckpoint,
): Promise<KillLoopResult> {
  let restores = 0;
  const start = (dir: string): Run => {
    const { args, env } = launch(fixture, dir, seed);
    const child = spawn(process.execPath, [...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
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
  };
  const referenceDir = mkdtempSync(join(tmpdir(), `${label}-ref-`));
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  const reference = start(referenceDir);
  const random = prng(seed);
  let killed = 0;
  let killedAfterProgress = 0;
  for (;;) {
    const { child, exit } = start(dir);
    if (killedAfterProgress >= kills) {
      assert.equal(await exit, 0, 'the last run must finish');
      break;
    }
    let first: number | null | 'kill';
    const early = random() < 0.2;
    if (early) {
      const soon = new Promise<'kill'>((r) => setTimeout(() => r('kill'), random() * 400));
      first = await Promise.race([exit, soon]);
    } else {
      const target = (await progress(dir)) + 1 + Math.floor(random() * 3);
      const progressed = (async () => {
        while ((await progress(dir)) < target) await sleep(10);
        await sleep(random() * 60);
        return 'kill' as const;
      })();
      first = await Promise.race([exit, progressed]);
    }
    if (first !== 'kill') {
      assert.fail(`the job finished after only ${killed} kills (seed ${seed}); make it longer`);
    }
    child.kill('SIGKILL');
    await exit;
    killed++;
    if (!early) killedAfterProgress++;
  }
  assert.equal(await reference.exit, 0);
  // Progress must come from checkpoints, not from one lucky run from scratch.
  assert.ok(
    restores >= kills / 2,
    `only ${restores} runs restored from a checkpoint (seed ${seed})`,
  );
  return { dir, referenceDir, restores };
}

/**
 * Asserts that the sorted output lines `actual` are `expected`, reporting first how many lines
 * are duplicated, missing or unexpected (with examples) under the replay seed.
 */
export function assertEachOnce(
  actual: readonly string[],
  expected: readonly string[],
  seed: number,
): void {
  const seen = new Set<string>();
  const duplicates = actual.filter((line) => seen.has(line) || !seen.add(line));
  const expectedSet = new Set(expected);
  const missing = expected.filter((line) => !seen.has(line));
  const unexpected = [...seen].filter((line) => !expectedSet.has(line));
  assert.deepEqual(
    { duplicates: duplicates.length, missing: missing.length, unexpected: unexpected.length },
    { duplicates: 0, missing: 0, unexpected: 0 },
    `seed ${seed}: e.g. duplicates ${duplicates.slice(0, 3).join(', ')}; missing ` +
      `${missing.slice(0, 3).join(', ')}; unexpected ${unexpected.slice(0, 3).join(', ')}`,
  );
  assert.deepEqual(actual, expected, `seed ${seed}`);
}
