/**
 * A file source watching directories (`FileSource.monitorContinuously`): new files are read
 * once, when complete by the configured rule; progress survives snapshot and restore, also at
 * another parallelism. The SIGKILL test with files appearing between kills is
 * test/recovery/watched-directory-kill.test.ts.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EddyError, FileSource, StreamEnvironment } from '../../index.ts';
import type { SourceReader } from '../../core/connector-spi.ts';
import { fileOwner, type FileSourceState } from './file-source.ts';

function readerOf<T>(source: FileSource<T>, subtaskIndex = 0, parallelism = 1): SourceReader<T> {
  return source.createReader({
    sourceName: 'watched',
    subtaskIndex,
    parallelism,
    metrics: undefined as never,
    properties: undefined as never,
    currentTime: () => 0,
    signal: new AbortController().signal,
  });
}

/**
 * Polls `reader` until it has emitted `count` records, failing after `timeoutMs` — or, with
 * `count` 0, polls for `timeoutMs` and returns what came (nothing is expected).
 */
async function take<T>(reader: SourceReader<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const got: T[] = [];
  const out = {
    collect: (v: T) => void got.push(v),
    deadLetter: () => {},
    get remaining() {
      return count === 0 ? 100 : count - got.length;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (count === 0 || got.length < count) {
    if (Date.now() > deadline) {
      if (count === 0) return got;
      assert.fail(`got ${got.length} of ${count} records: ${got.join(' | ')}`);
    }
    const s = reader.pollNext(out);
    assert.notEqual(s, 'END_OF_INPUT', 'a watched directory never ends');
    if (s === 'NOTHING_AVAILABLE') {
      await Promise.race([reader.isAvailable(), new Promise((r) => setTimeout(r, 20))]);
    }
  }
  return got;
}

/** Writes `lines` under a hidden name and renames the file into place, as writers should. */
async function publish(path: string, lines: readonly string[]): Promise<void> {
  const hidden = join(path, '..', `.${path.split('/').pop()}.tmp`);
  await writeFile(hidden, lines.map((l) => `${l}\n`).join(''));
  await rename(hidden, path);
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-watch-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileSource.monitorContinuously', () => {
  it('reads the files present, then each file renamed into place later, once; hidden files wait', async () => {
    const dir = join(root, 'renamed');
    await mkdir(dir);
    await publish(join(dir, 'a.txt'), ['a1', 'a2']);
    const source = FileSource.lines(dir).monitorContinuously({ intervalMs: 20 });
    assert.equal(source.boundedness, 'unbounded');
    const reader = readerOf(source);
    await reader.start?.();
    assert.deepEqual(await take(reader, 2), ['a1', 'a2']);
    assert.deepEqual(await take(reader, 0, 150), [], 'nothing new yet');

    await writeFile(join(dir, '.b.txt.inprogress'), 'b1\n');
    assert.deepEqual(await take(reader, 0, 150), [], 'a hidden file is not read');
    await appendFile(join(dir, '.b.txt.inprogress'), 'b2\n');
    await rename(join(dir, '.b.txt.inprogress'), join(dir, 'b.txt'));
    await publish(join(dir, 'c.txt'), ['c1']);
    assert.deepEqual((await take(reader, 3)).sort(), ['b1', 'b2', 'c1']);

    // A file already read is not read again when it changes.
    await appendFile(join(dir, 'a.txt'), 'a3\n');
    assert.deepEqual(await take(reader, 0, 150), []);
    await reader.close?.();
  });

  it('with a quiet period, reads a file appended in place only once it stopped changing', async () => {
    const dir = join(root, 'quiet');
    await mkdir(dir);
    const path = join(dir, 'growing.log');
    await writeFile(path, 'g1\n');
    const reader = readerOf(
      FileSource.lines(dir).monitorContinuously({
        intervalMs: 20,
        completeness: { quietPeriodMs: 300 },
      }),
    );
    await reader.start?.();
    for (let i = 2; i <= 5; i++) {
      assert.deepEqual(await take(reader, 0, 100), [], `read early, before g${i}`);
      await appendFile(path, `g${i}\n`);
    }
    assert.deepEqual(await take(reader, 5, 5000), ['g1', 'g2', 'g3', 'g4', 'g5']);

    // An old file is complete at once.
    const old = join(dir, 'old.log');
    await writeFile(old, 'o1\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(old, past, past);
    assert.deepEqual(await take(reader, 1, 1000), ['o1']);
    await reader.close?.();
  });

  it('keeps its progress across snapshot and restore: no file read twice, none skipped', async () => {
    const dir = join(root, 'restore');
    await mkdir(dir);
    await publish(join(dir, '1.txt'), ['x1', 'x2', 'x3']);
    await publish(join(dir, '2.txt'), ['y1', 'y2']);
    const source = FileSource.lines(dir).monitorContinuously({ intervalMs: 20 });
    const first = readerOf(source);
    await first.start?.();
    const before = await take(first, 4);
    const state = first.snapshotState?.(1) as FileSourceState;
    await first.close?.();
    const rest = ['x1', 'x2', 'x3', 'y1', 'y2'].filter((l) => !before.includes(l));
    assert.equal(rest.length, 1);

    await publish(join(dir, '3.txt'), ['z1']);
    const second = readerOf(source);
    second.restoreState?.(state);
    await second.start?.();
    assert.deepEqual((await take(second, 2)).sort(), [...rest, 'z1'].sort());
    assert.deepEqual(await take(second, 0, 150), []);
    await second.close?.();
  });

  it('restores at another parallelism: each file read once over all subtasks', async () => {
    const dir = join(root, 'rescale');
    await mkdir(dir);
    const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
    for (const n of names.slice(0, 8)) await publish(join(dir, n), [`${n}:1`, `${n}:2`]);
    const source = FileSource.lines(dir).monitorContinuously({ intervalMs: 20 });
    // Two subtasks read everything there is, then snapshot.
    const states: FileSourceState[] = [];
    const seen: string[] = [];
    for (let s = 0; s < 2; s++) {
      const r = readerOf(source, s, 2);
      await r.start?.();
      const mine = names.slice(0, 8).filter((n) => fileOwner(join(dir, n), 2) === s);
      seen.push(...(await take(r, mine.length * 2)));
      states.push(r.snapshotState?.(1) as FileSourceState);
      await r.close?.();
    }
    for (const n of names.slice(8)) await publish(join(dir, n), [`${n}:1`, `${n}:2`]);
    // Three subtasks restore from the union of both states.
    for (let s = 0; s < 3; s++) {
      const r = readerOf(source, s, 3);
      r.restoreUnionState?.(states);
      await r.start?.();
      const mine = names.slice(8).filter((n) => fileOwner(join(dir, n), 3) === s);
      if (mine.length > 0) seen.push(...(await take(r, mine.length * 2)));
      assert.deepEqual(await take(r, 0, 100), [], `subtask ${s} reads nothing twice`);
      // Its snapshot still holds the files it owns that were read before the rescale.
      const state = r.snapshotState?.(1) as FileSourceState;
      const owned = names.filter((n) => fileOwner(join(dir, n), 3) === s);
      assert.deepEqual([...state.finished].sort(), owned.map((n) => join(dir, n)).sort());
      await r.close?.();
    }
    assert.deepEqual(seen.sort(), names.flatMap((n) => [`${n}:1`, `${n}:2`]).sort());
  });

  it('a file read before a restore stays read while it is not listed (moved away and back)', async () => {
    const dir = join(root, 'moved');
    await mkdir(dir);
    await publish(join(dir, 'm.txt'), ['m1']);
    const source = FileSource.lines(dir).monitorContinuously({ intervalMs: 20 });
    const first = readerOf(source);
    await first.start?.();
    await take(first, 1);
    const state = first.snapshotState?.(1) as FileSourceState;
    await first.close?.();

    await rename(join(dir, 'm.txt'), join(root, 'm-away.txt'));
    const second = readerOf(source);
    second.restoreState?.(state);
    await second.start?.();
    await take(second, 0, 60);
    const kept = second.snapshotState?.(1) as FileSourceState;
    await second.close?.();
    const path = join(dir, 'm.txt');
    assert.ok(
      kept.finished.includes(path) || kept.reading[path]?.offset === 3,
      `m.txt kept as read: ${JSON.stringify(kept)}`,
    );

    await rename(join(root, 'm-away.txt'), join(dir, 'm.txt'));
    const third = readerOf(source);
    third.restoreState?.(kept);
    await third.start?.();
    assert.deepEqual(await take(third, 0, 150), [], 'not read a second time');
    await third.close?.();
  });

  it('runs in a job: a watched directory feeds an unbounded stream', async () => {
    const dir = join(root, 'job');
    await mkdir(dir);
    await publish(join(dir, 'a.jsonl'), ['{"n":1}', '{"n":2}']);
    const env = StreamEnvironment.create({ parallelism: 2 });
    const stream = env
      .fromSource(FileSource.jsonLines<{ n: number }>(dir).monitorContinuously({ intervalMs: 20 }))
      .map((r) => r.n * 10);
    const late = setTimeout(() => void publish(join(dir, 'b.jsonl'), ['{"n":3}']), 200);
    try {
      const out = await stream.executeAndCollect(3);
      assert.deepEqual(
        [...out].sort((a, b) => a - b),
        [10, 20, 30],
      );
    } finally {
      clearTimeout(late);
    }
  });

  it('refuses a bad interval or quiet period, naming the source', () => {
    assert.throws(
      () => FileSource.lines('x', { name: 'orders' }).monitorContinuously({ intervalMs: 0 }),
      (e: unknown) =>
        e instanceof EddyError &&
        e.code === 'INVALID_ARGUMENT' &&
        /orders.*intervalMs/.test(e.message),
    );
    assert.throws(
      () =>
        FileSource.lines('x').monitorContinuously({
          intervalMs: 10,
          completeness: { quietPeriodMs: -1 },
        }),
      (e: unknown) => e instanceof EddyError && /quietPeriodMs/.test(e.message),
    );
  });
});
