import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CollectSink,
  DEAD_LETTERS,
  EddyError,
  FileSink,
  FileSource,
  StreamEnvironment,
  type DeadLetter,
} from '../../index.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSource', () => {
  it('reads lines across chunk boundaries, CRLF and a last line without a break', async () => {
    const path = join(dir, 'lines.txt');
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    await writeFile(path, `${lines.slice(0, 250).join('\r\n')}\r\n${lines.slice(250).join('\n')}`);
    const env = StreamEnvironment.create({ batchSize: 16 });
    const out = await env.fromSource(FileSource.lines(path, { chunkSize: 37 })).executeAndCollect();
    assert.deepEqual(out, lines);
  });

  it('sends malformed JSON lines to the dead-letter output with file, line and error, and keeps going', async () => {
    const path = join(dir, 'events.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2\nnot json\n{"a":3}\n');
    const env = StreamEnvironment.create();
    const records = env.fromSource(FileSource.jsonLines<{ a: number }>(path), undefined, 'events');
    const dead = new CollectSink<DeadLetter>();
    records.getSideOutput(DEAD_LETTERS).sinkTo(dead);
    const client = env.executeAsync();
    const good = new CollectSink<{ a: number }>();
    void good;
    await client.result;
    assert.equal(dead.values.length, 2);
    assert.deepEqual(
      dead.values.map((d) => [d.position, d.raw, d.source]),
      [
        [`${path}:2`, '{"a":2', 'events'],
        [`${path}:3`, 'not json', 'events'],
      ],
    );
    assert.ok(dead.values.every((d) => d.error.length > 0));
    assert.match(
      await client.metricsText(),
      /eddy_dead_letters_total\{[^}]*operator="events"[^}]*\} 2/,
    );
  });

  it('emits the good records around bad ones in order', async () => {
    const path = join(dir, 'mixed.jsonl');
    await writeFile(path, '1\n2\n{\n4\n');
    const env = StreamEnvironment.create();
    const s = env.fromSource(FileSource.jsonLines<number>(path));
    s.getSideOutput(DEAD_LETTERS).sinkTo(new CollectSink());
    assert.deepEqual(await s.executeAndCollect(), [1, 2, 4]);
  });

  it('fails on a malformed line when asked to, naming the position', async () => {
    const path = join(dir, 'strict.jsonl');
    await writeFile(path, '1\nnope\n');
    const env = StreamEnvironment.create({ failOnMalformedInput: true });
    env.fromSource(FileSource.jsonLines<number>(path), undefined, 'strict').print();
    await assert.rejects(
      env.execute(),
      (e: unknown) =>
        e instanceof EddyError && e.code === 'MALFORMED_RECORD' && e.message.includes(`${path}:2`),
    );
  });

  it('reads every file of a directory, split over subtasks', async () => {
    const sub = join(dir, 'many');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    for (let f = 0; f < 5; f++) await writeFile(join(sub, `f${f}.txt`), `${f}a\n${f}b\n`);
    const env = StreamEnvironment.create({ parallelism: 2 });
    const out = await env.fromSource(FileSource.lines(sub)).executeAndCollect();
    assert.deepEqual([...out].sort(), ['0a', '0b', '1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b']);
  });

  it('resumes from a snapshotted position', async () => {
    const path = join(dir, 'resume.txt');
    await writeFile(path, 'a\nb\nc\nd\n');
    const reader = FileSource.lines(path).createReader({
      sourceName: 'f',
      subtaskIndex: 0,
      parallelism: 1,
      metrics: undefined as never,
      properties: undefined as never,
      currentTime: () => 0,
      signal: new AbortController().signal,
    });
    await reader.start?.();
    const got: string[] = [];
    const out = { collect: (v: string) => got.push(v), deadLetter: () => {}, remaining: 2 };
    while (got.length < 2)
      if (reader.pollNext(out) === 'NOTHING_AVAILABLE') await reader.isAvailable();
    const position = reader.snapshotState?.(1);
    await reader.close?.();
    const again = FileSource.lines(path).createReader({
      sourceName: 'f',
      subtaskIndex: 0,
      parallelism: 1,
      metrics: undefined as never,
      properties: undefined as never,
      currentTime: () => 0,
      signal: new AbortController().signal,
    });
    again.restoreState?.(position);
    await again.start?.();
    const rest: string[] = [];
    const out2 = { collect: (v: string) => rest.push(v), deadLetter: () => {}, remaining: 100 };
    for (;;) {
      const s = again.pollNext(out2);
      if (s === 'END_OF_INPUT') break;
      if (s === 'NOTHING_AVAILABLE') await again.isAvailable();
    }
    assert.deepEqual(got, ['a', 'b']);
    assert.deepEqual(rest, ['c', 'd']);
  });
});

describe('FileSink', () => {
  it('writes JSON lines into one part file per subtask', async () => {
    const out = join(dir, 'out');
    const env = StreamEnvironment.create({ parallelism: 2 });
    env
      .fromCollection(Array.from({ length: 50 }, (_, i) => ({ i })))
      .rebalance()
      .map((x) => x)
      .sinkTo(FileSink.jsonLines(out));
    await env.execute();
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['part-0-0.jsonl', 'part-1-0.jsonl']);
    const all = (await Promise.all(files.map((f) => readFile(join(out, f), 'utf8'))))
      .join('')
      .trim()
      .split('\n');
    assert.deepEqual(
      all.map((l) => (JSON.parse(l) as { i: number }).i).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
