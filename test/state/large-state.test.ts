/**
 * State ten times the V8 heap, for real (issue 19): `fixtures/large-state-job.ts` runs in a child
 * process whose V8 heap is limited (`--max-old-space-size`, young generation 1 MiB; the job runs
 * in-process, on the process's own heap) and keeps ~2 KiB of LMDB state for each of its keys —
 * more than ten times `heap_size_limit` — with `stateMemory` 16 MiB and incremental checkpoints.
 * It is SIGKILLed after a checkpoint that holds every key, started again, restores the chain and
 * finishes. Its committed output must be exactly what a brute-force count gives (every
 * `<key> <n>` once), no restored value may be damaged, and the anonymous resident memory of
 * both runs must stay under heap limit + `stateMemory` + {@link ALLOWANCE_MIB}.
 *
 * Why anonymous memory (`RssAnon` in /proc/<pid>/status) and not all of RSS: LMDB reads through
 * a memory map, so the pages of its file that the process touched count in RSS as `RssFile`.
 * They are the OS page cache — clean, shared, dropped by the kernel under memory pressure (and
 * reclaimed, not killed for, under a cgroup limit) — as RocksDB's reads through the page cache
 * are. The test reports their peak beside the figures.
 *
 * The test fails if the backend held the state on the heap (the child dies of heap exhaustion:
 * the state is 10× the limit), if a checkpoint or restore held it whole (the same), or if
 * native memory grew with the state (the `RssAnon` bound).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeMetadata } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import { PAD_BYTES, keyOfRecord, recordsOf } from './fixtures/large-state-records.ts';
import { sleep } from '../support/kill-loop.ts';

/** Old generation of the child's heap, MiB (the smallest that loads Eddy through tsx is ~40). */
const HEAP_MIB = 48;
/** The job's `stateMemory`. */
const STATE_MEMORY_MIB = 4;
/**
 * Anonymous memory allowed besides the heap and the state memory: Node itself (code, the tsx
 * loader, its buffers; ~60 MiB at the start of a job), LMDB's write transaction and the codec's
 * buffers, one snapshot part (8 MiB) serialized and being written, the file sink's buffers.
 */
const ALLOWANCE_MIB = 96;
const KEYS = Number(process.env['EDDY_LARGE_STATE_KEYS'] ?? 300_000);
const fixture = new URL('./fixtures/large-state-job.ts', import.meta.url).pathname;
const MIB = 1024 * 1024;

interface Peaks {
  anon: number;
  file: number;
}

/** A child run of the job, with its memory sampled from /proc every 20 ms. */
function start(dir: string): {
  child: ChildProcess;
  exit: Promise<number | null>;
  peaks: Peaks;
  stderr: () => string;
} {
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MIB}`,
      '--max-semi-space-size=1',
      '--import',
      'tsx',
      fixture,
      dir,
      String(KEYS),
    ],
    {
      env: { ...process.env, EDDY_LARGE_STATE_MEMORY: `${STATE_MEMORY_MIB}mb` },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const peaks: Peaks = { anon: 0, file: 0 };
  const timer = setInterval(() => {
    let status: string;
    try {
      status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    } catch {
      return;
    }
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    peaks.anon = Math.max(peaks.anon, kb('RssAnon') * 1024);
    peaks.file = Math.max(peaks.file, kb('RssFile') * 1024);
  }, 20);
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve(code);
    }),
  );
  return { child, exit, peaks, stderr: () => err };
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The newest completed checkpoint triggered after `since` (ms epoch), or undefined. */
function checkpointAfter(
  chk: string,
  since: number,
): ReturnType<typeof decodeMetadata> | undefined {
  if (!existsSync(chk)) return undefined;
  for (const name of readdirSync(chk)) {
    if (!/^chk-\d+$/.test(name)) continue;
    try {
      const m = decodeMetadata(readFileSync(join(chk, name, '_metadata')));
      if (m.triggeredAt > since) return m;
    } catch {
      // Not complete yet.
    }
  }
  return undefined;
}

/** The committed output lines, sorted (too many for `committedLines`' spread). */
function committed(dir: string): string[] {
  const out = join(dir, 'out');
  const lines: string[] = [];
  for (const f of readdirSync(out).filter((f) => !f.startsWith('.')))
    for (const l of readFileSync(join(out, f), 'utf8').split('\n')) if (l !== '') lines.push(l);
  return lines.sort();
}

/** Every `<key> <n>` the job must commit, sorted as `committedLines` sorts. */
function expectedLines(): string[] {
  const counts = new Uint8Array(KEYS);
  const lines: string[] = [];
  for (let i = 0; i < recordsOf(KEYS); i++) {
    const k = keyOfRecord(i, KEYS);
    lines.push(`${k} ${++(counts[k] as number)}`);
  }
  return lines.sort();
}

test(`state 10× the V8 heap (${KEYS} keys × ${PAD_BYTES} B, heap ${HEAP_MIB} MiB): incremental checkpoints, SIGKILL, restore; memory within heap + stateMemory + ${ALLOWANCE_MIB} MiB`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-large-state-'));
  try {
    const t0 = performance.now();
    const first = start(dir);
    const deadline = Date.now() + 120_000;
    while (!existsSync(join(dir, 'pass1'))) {
      assert.ok(Date.now() < deadline, `pass 1 did not end: ${first.stderr()}`);
      assert.ok(alive(first.child), `the first run died: ${first.stderr()}`);
      await sleep(50);
    }
    const pass1 = statSync(join(dir, 'pass1')).mtimeMs;
    const pass1At = performance.now();
    let cp = checkpointAfter(join(dir, 'chk'), pass1);
    while (cp === undefined) {
      assert.ok(Date.now() < deadline, `no checkpoint after pass 1: ${first.stderr()}`);
      assert.ok(alive(first.child), `the first run died: ${first.stderr()}`);
      await sleep(50);
      cp = checkpointAfter(join(dir, 'chk'), pass1);
    }
    const killedAt = performance.now();
    first.child.kill('SIGKILL');
    await first.exit;

    const heapLimit = Number(/heap_size_limit (\d+)/.exec(first.stderr())?.[1]);
    assert.ok(heapLimit > 0, 'the child reported its heap limit');
    assert.ok(
      KEYS * PAD_BYTES >= 10 * heapLimit,
      `state ${(KEYS * PAD_BYTES) / MIB} MiB is 10× the heap limit ${heapLimit / MIB} MiB`,
    );
    // The state is in the checkpoint's chain, incremental: more than one file (base parts,
    // changes).
    const chain = cp.operators.find((o) => o.uid === 'counts')?.subtasks[0]?.keyedChain ?? [];
    const chainBytes = chain.reduce((n, f) => n + f.bytes, 0);
    assert.ok(chain.length > 1, `the keyed state is a chain of files (${chain.length})`);
    assert.ok(chainBytes >= KEYS * PAD_BYTES, `the chain holds the state (${chainBytes} bytes)`);

    writeFileSync(join(dir, 'go'), '');
    const second = start(dir);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      second.exit,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 120_000))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') second.child.kill('SIGKILL');
    const doneAt = performance.now();
    assert.equal(code, 0, `the second run: ${second.stderr()}`);
    assert.match(second.stderr(), /restoring from .*chk-\d+/);

    const actual = committed(dir);
    assert.equal(actual.filter((l) => l.startsWith('BAD')).length, 0, 'restored values intact');
    const expected = expectedLines();
    assert.equal(actual.length, expected.length, 'committed record count');
    // Compared as one string: deepEqual of 450 k strings took longer than the job.
    assert.ok(actual.join('\n') === expected.join('\n'), 'committed output equals the reference');

    const budget = heapLimit + (STATE_MEMORY_MIB + ALLOWANCE_MIB) * MIB;
    const figures =
      `heap limit ${(heapLimit / MIB).toFixed(0)} MiB, state ${((KEYS * PAD_BYTES) / MIB).toFixed(0)} MiB; ` +
      `peak RssAnon ${(first.peaks.anon / MIB).toFixed(0)} / ${(second.peaks.anon / MIB).toFixed(0)} MiB ` +
      `(run 1 / run 2; budget ${(budget / MIB).toFixed(0)}), ` +
      `peak RssFile ${(first.peaks.file / MIB).toFixed(0)} / ${(second.peaks.file / MIB).toFixed(0)} MiB; ` +
      `pass 1 ${((pass1At - t0) / 1000).toFixed(1)} s, checkpoint after it ${((killedAt - pass1At) / 1000).toFixed(1)} s, ` +
      `restore and pass 2 ${((doneAt - killedAt) / 1000).toFixed(1)} s; ` +
      `chain restored: ${chain.length} files, ${chain.filter((f) => !f.full).length} of changes`;
    process.stderr.write(`large state: ${figures}\n`);
    assert.ok(first.peaks.anon > 0 && second.peaks.anon > 0, 'memory was sampled');
    assert.ok(first.peaks.anon <= budget, `run 1 within the budget: ${figures}`);
    assert.ok(second.peaks.anon <= budget, `run 2 within the budget: ${figures}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
