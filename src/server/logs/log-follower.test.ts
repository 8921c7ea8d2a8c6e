import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogFollower } from './log-follower.ts';

const until = async (what: string, ok: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('LogFollower', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-log-follower-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every appended line once, in order, across a rotation and partial writes', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'old 1\nold 2\n');
    const seen: string[] = [];
    const f = new LogFollower(file, (lines) => seen.push(...lines), { intervalMs: 5 });
    try {
      appendFileSync(file, 'line 1\nline ');
      await until('line 1', () => seen.length === 1);
      appendFileSync(file, '2\nline 3\n');
      // Rotated right after a write the follower may not have read yet.
      appendFileSync(file, 'line 4\n');
      renameSync(file, `${file}.1`);
      writeFileSync(file, 'line 5\n');
      appendFileSync(file, 'line 6\n');
      await until('line 6', () => seen.includes('line 6'));
      assert.deepEqual(seen, ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    } finally {
      f.stop();
    }
  });

  it('waits for a file that does not exist yet and reads it from its start', async () => {
    const file = join(dir, 'later.log');
    const seen: string[] = [];
    const f = new LogFollower(file, (lines) => seen.push(...lines), { intervalMs: 5 });
    try {
      await new Promise((r) => setTimeout(r, 30));
      writeFileSync(file, 'first\nsecond\n');
      await until('two lines', () => seen.length === 2);
      assert.deepEqual(seen, ['first', 'second']);
    } finally {
      f.stop();
    }
  });

  it('starts at the offset given and sends nothing after stop', async () => {
    const file = join(dir, 'offset.log');
    writeFileSync(file, 'a\nb\n');
    const seen: string[] = [];
    const f = new LogFollower(file, (lines) => seen.push(...lines), { from: 2, intervalMs: 5 });
    await until('b', () => seen.length === 1);
    assert.deepEqual(seen, ['b']);
    f.stop();
    appendFileSync(file, 'c\n');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ['b']);
  });
});
