/**
 * Fault injection: the disk fills up (a 2–4 MiB tmpfs) during checkpoints, during a savepoint
 * and under the exactly-once file sink, and the checkpoint directory turns read-only. Each fault
 * must end in a clear error (naming the disk problem) or be ridden out as configured — never a
 * checkpoint taken as complete without its files, never lost or duplicated output once the disk
 * is back. Mounting needs root (CI runs as root); elsewhere the tests are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startEddy, type EddyExit } from '../support/eddy-process.ts';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk.ts';
import { waitFor } from '../support/wait-for.ts';
import { committedLines, duplicates, expectedLines } from '../recovery/counter-output.ts';

const fixture = new URL('../recovery/fixtures/counter-job.ts', import.meta.url).pathname;

const disks: SmallDisk[] = [];
after(() => {
  for (const d of disks) d.unmount();
});

/** A fresh small disk, or the reason there is none here. */
function smallDisk(bytes: number): SmallDisk | string {
  const d = mountSmallDisk(bytes);
  if (typeof d !== 'string') disks.push(d);
  return d;
}

const probe = mountSmallDisk(64 * 1024);
const skip = typeof probe === 'string' ? probe : false;
if (typeof probe !== 'string') probe.unmount();

/** Fills the file system of `dir` to the last byte; returns the filler file. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        // Then the last partial block.
        try {
          for (;;) writeSync(fd, chunk, 0, 512);
        } catch {
          return file;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function run(
  chk: string,
  out: string,
  records: number,
  extra: readonly string[] = [],
  rate = 10_000,
) {
  return startEddy(
    [
      'run',
      fixture,
      '--checkpoint-interval',
      '100ms',
      '--checkpoint-dir',
      chk,
      '--quiet',
      ...extra,
    ],
    { EDDY_TEST_OUT: out, EDDY_TEST_RECORDS: String(records), EDDY_TEST_RATE: String(rate) },
  );
}

/** Every checkpoint directory left in `chk` has its `_metadata`: none half-written stays. */
function assertNoPartialCheckpoint(chk: string): void {
  for (const name of readdirSync(chk).filter((n) => n.startsWith('chk-')))
    assert.ok(existsSync(join(chk, name, '_metadata')), `${name} has no _metadata`);
}

function assertExactlyOnce(out: string, records: number, what: string): void {
  const lines = committedLines(out);
  assert.deepEqual(duplicates(lines).slice(0, 3), [], `${what}: duplicates`);
  assert.equal(lines.length, records, `${what}: every record once`);
  assert.deepEqual(lines, expectedLines(records));
}

function noCrash(r: EddyExit): void {
  assert.doesNotMatch(r.stderr, /triggerUncaughtException|Unhandled|FATAL ERROR/);
}

describe('a full disk', { skip, concurrency: true, timeout: 300_000 }, () => {
  it('during checkpoints: each fails naming ENOSPC; once there is space the job goes on, output exactly once', async () => {
    const disk = smallDisk(2 * 1024 * 1024) as SmallDisk;
    const work = mkdtempSync(join(tmpdir(), 'eddy-full-chk-'));
    const chk = join(disk.path, 'chk');
    const out = join(work, 'out');
    const records = 100_000;
    const p = run(chk, out, records, ['--tolerable-checkpoint-failures', '1000000']);
    await waitFor(() => existsSync(join(chk, '_completed')) || p.child.exitCode !== null, {
      timeoutMs: 120_000,
      message: 'a completed checkpoint',
    });
    const filler = fill(disk.path);
    await p.waitForStderr(/checkpoint \d+ failed: [^\n]*(ENOSPC|no space left)/i, 60_000);
    rmSync(filler);
    const r = await p.exit;
    noCrash(r);
    assert.equal(r.code, 0, r.stderr);
    assertNoPartialCheckpoint(chk);
    assertExactlyOnce(out, records, 'checkpoints on a full disk');
  });

  it('by default a checkpoint on a full disk fails the job with CHECKPOINT_FAILED; a rerun resumes exactly once', async () => {
    const disk = smallDisk(2 * 1024 * 1024) as SmallDisk;
    const work = mkdtempSync(join(tmpdir(), 'eddy-full-chk-fail-'));
    const chk = join(disk.path, 'chk');
    const out = join(work, 'out');
    const records = 80_000;
    const p = run(chk, out, records, ['--restart-strategy', 'none']);
    await waitFor(() => existsSync(join(chk, '_completed')) || p.child.exitCode !== null, {
      timeoutMs: 120_000,
      message: 'a completed checkpoint',
    });
    const filler = fill(disk.path);
    const r = await p.exit;
    noCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /checkpoint \d+ failed: [^\n]*(ENOSPC|no space left)[^\n]*\(1 in a row; 0 tolerated\)/i,
    );
    rmSync(filler);
    assertNoPartialCheckpoint(chk);
    const again = await run(chk, out, records).exit;
    noCrash(again);
    assert.equal(again.code, 0, again.stderr);
    assertExactlyOnce(out, records, 'after the disk was full');
  });

  it('during a savepoint on stop: exit 1 saying none was written, no partial savepoint; a rerun resumes exactly once', async () => {
    const disk = smallDisk(2 * 1024 * 1024) as SmallDisk;
    const work = mkdtempSync(join(tmpdir(), 'eddy-full-savepoint-'));
    const chk = join(work, 'chk');
    const out = join(work, 'out');
    const savepoints = join(disk.path, 'savepoints');
    mkdirSync(savepoints);
    const records = 80_000;
    const p = run(chk, out, records, ['--savepoint-on-stop', savepoints]);
    await waitFor(() => existsSync(join(chk, '_completed')) || p.child.exitCode !== null, {
      timeoutMs: 120_000,
      message: 'a completed checkpoint',
    });
    fill(disk.path);
    p.child.kill('SIGTERM');
    const r = await p.exit;
    noCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /the savepoint on stop failed, so the job stopped without one: [^\n]*(ENOSPC|no space left)/i,
    );
    assert.match(r.stderr, new RegExp(`no savepoint was written to ${savepoints}`));
    const found = execFileSync('find', [savepoints, '-name', '_metadata'], { encoding: 'utf8' });
    assert.equal(found, '', 'no savepoint that looks complete');
    const again = await run(chk, out, records).exit;
    noCrash(again);
    assert.equal(again.code, 0, again.stderr);
    assertExactlyOnce(out, records, 'after the failed savepoint');
  });

  it('under the exactly-once file sink: the job fails naming the sink and ENOSPC; a rerun with space commits each line once', async () => {
    const disk = smallDisk(4 * 1024 * 1024) as SmallDisk;
    const work = mkdtempSync(join(tmpdir(), 'eddy-full-sink-'));
    const chk = join(work, 'chk');
    const out = join(disk.path, 'out');
    const records = 60_000;
    const p = run(chk, out, records, ['--restart-strategy', 'none'], 6000);
    await waitFor(() => existsSync(join(chk, '_completed')) || p.child.exitCode !== null, {
      timeoutMs: 120_000,
      message: 'a completed checkpoint',
    });
    const filler = fill(disk.path);
    const r = await p.exit;
    noCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /(ENOSPC|no space left)/i);
    assert.match(r.stderr, /sink|FileSink|jsonLines|file/i);
    rmSync(filler);
    const again = await run(chk, out, records).exit;
    noCrash(again);
    assert.equal(again.code, 0, again.stderr);
    assertExactlyOnce(out, records, 'after the sink disk was full');
  });
});

describe('a read-only checkpoint directory', { skip, concurrency: true, timeout: 300_000 }, () => {
  it('at start: a clear error naming the directory, before any record is read', async () => {
    const disk = smallDisk(1024 * 1024) as SmallDisk;
    const chk = join(disk.path, 'chk');
    mkdirSync(chk);
    execFileSync('mount', ['-o', 'remount,ro', disk.path]);
    const work = mkdtempSync(join(tmpdir(), 'eddy-ro-start-'));
    const r = await run(chk, join(work, 'out'), 10_000).exit;
    noCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /(EROFS|read-only)/i);
    assert.match(r.stderr, new RegExp(chk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.ok(!existsSync(join(work, 'out')) || committedLines(join(work, 'out')).length === 0);
  });

  it('mid-run: the checkpoint fails naming EROFS; writable again, a rerun resumes exactly once', async () => {
    const disk = smallDisk(2 * 1024 * 1024) as SmallDisk;
    const work = mkdtempSync(join(tmpdir(), 'eddy-ro-mid-'));
    const chk = join(disk.path, 'chk');
    const out = join(work, 'out');
    const records = 80_000;
    const p = run(chk, out, records, ['--restart-strategy', 'none']);
    await waitFor(() => existsSync(join(chk, '_completed')) || p.child.exitCode !== null, {
      timeoutMs: 120_000,
      message: 'a completed checkpoint',
    });
    // The remount is refused while a file is open for writing: between two checkpoints it passes.
    await waitFor(
      () => {
        try {
          execFileSync('mount', ['-o', 'remount,ro', disk.path], { stdio: 'pipe' });
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 5, message: 'remounted read-only' },
    );
    const r = await p.exit;
    noCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /checkpoint \d+ failed: [^\n]*(EROFS|read-only)/i);
    execFileSync('mount', ['-o', 'remount,rw', disk.path]);
    const again = await run(chk, out, records).exit;
    noCrash(again);
    assert.equal(again.code, 0, again.stderr);
    assertExactlyOnce(out, records, 'after the read-only directory');
  });
});
