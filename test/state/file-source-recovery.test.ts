// Issue #17 defect 4: a FileSource restored after files of its directory were deleted or added.
// Its positions were indexes into the sorted listing, so the restore resumed mid-line in another
// file (records lost) or re-read files (duplicates). Progress is now kept per file path.
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSource, StreamEnvironment, type JobClient } from '../../src/index.ts';
import { ExactlyOnceFileSink } from '../../src/connectors/files/exactly-once-file-sink.ts';

function lines(name: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ f: name, i }));
}

function committed(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((f) => !f.startsWith('.')))
    out.push(
      ...readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  return out.sort();
}

test('a job restored after a read file was deleted and files sorting first were added loses and duplicates nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-file-restore-'));
  const input = join(root, 'in');
  const out = join(root, 'out');
  mkdirSync(input);
  const content = { b: lines('b', 50), c: lines('c', 100_000), d: lines('d', 200) };
  for (const [f, l] of Object.entries(content))
    writeFileSync(join(input, `${f}.jsonl`), l.join('\n'));
  const added = { a: lines('a', 300), aa: lines('aa', 70) };

  const job: { client?: JobClient } = {};
  let checkpointsAtFirstC: number | undefined;
  let failed = false;
  const env = StreamEnvironment.create({
    handleSignals: false,
    checkpointInterval: 5,
    checkpointDir: join(root, 'chk'),
    restartStrategy: { type: 'fixed-delay', attempts: 1, delay: 10 },
    batchSize: 64,
  });
  env
    .fromSource(FileSource.jsonLines<{ f: string; i: number }>(input, { chunkSize: 4096 }))
    .uid('files')
    .map((r) => {
      // Fail once, in the middle of c.jsonl and after a checkpoint that has b.jsonl finished;
      // between the failure and the restore, b.jsonl goes and two files sorting first appear.
      if (!failed && r.f === 'c') {
        const done = job.client?.checkpointStats().completed ?? 0;
        checkpointsAtFirstC ??= done;
        if (done >= checkpointsAtFirstC + 2 && r.i > 1000) {
          failed = true;
          unlinkSync(join(input, 'b.jsonl'));
          for (const [f, l] of Object.entries(added))
            writeFileSync(join(input, `${f}.jsonl`), l.join('\n'));
          throw new Error('injected failure');
        }
      }
      return r;
    })
    .uid('map')
    .sinkTo(new ExactlyOnceFileSink({ dir: out }))
    .uid('sink');
  const client = env.executeAsync();
  job.client = client;
  await client.result;
  assert.ok(failed, 'the failure was injected');
  assert.equal(client.checkpointStats().restarts, 1);
  assert.match(client.checkpointStats().restoredFrom ?? '', /chk-\d+$/);
  const expected = [...content.b, ...content.c, ...content.d, ...added.a, ...added.aa].sort();
  const got = committed(out);
  assert.equal(got.length, expected.length, 'as many records as written, no more, no less');
  assert.deepEqual(got, expected);
});
