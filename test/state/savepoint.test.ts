import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  EddyError,
  StreamEnvironment,
  WatermarkStrategy,
  type EnvironmentOptions,
} from '../../src/index.ts';
import { Counts, SlowSource, Windows, type Rec } from './fixtures/stateful-functions.ts';

const N = 20_000;

function job(
  parallelism: number,
  out: string[],
  options: EnvironmentOptions = {},
  withCounts = true,
): StreamEnvironment {
  const env = StreamEnvironment.create({
    handleSignals: false,
    autoWatermarkInterval: 10,
    ...options,
  });
  const keyed = env
    .fromSource(new SlowSource(3, N), WatermarkStrategy.forMonotonousTimestamps<Rec>())
    .uid('numbers')
    .keyBy((r) => r.key);
  let results = keyed.process(new Windows()).uid('windows').setParallelism(parallelism);
  if (withCounts)
    results = results.union(keyed.process(new Counts()).uid('counts').setParallelism(parallelism));
  results.sinkTo((v: string) => void out.push(v)).uid('sink');
  return env;
}

async function savepointAtParallelism2(): Promise<{ path: string; before: string[] }> {
  const before: string[] = [];
  const client = job(2, before).executeAsync('savepoint-test');
  while (before.length < 300) await new Promise((r) => setTimeout(r, 5));
  const path = await client.stopWithSavepoint(mkdtempSync(join(tmpdir(), 'eddy-sp-')));
  const result = await client.result;
  assert.equal(result.status, 'CANCELED');
  return { path, before };
}

let reference: string[] | undefined;
async function uninterrupted(): Promise<string[]> {
  if (reference === undefined) {
    const out: string[] = [];
    await job(2, out).execute();
    reference = out.sort();
  }
  return reference;
}

for (const p of [1, 4]) {
  test(`a savepoint taken at parallelism 2 restores at parallelism ${p} with the same results`, async () => {
    const { path, before } = await savepointAtParallelism2();
    assert.ok(before.length < (await uninterrupted()).length, 'stopped before the end');
    const after: string[] = [];
    await job(p, after, { fromSavepoint: path }).execute();
    assert.deepEqual([...before, ...after].sort(), await uninterrupted());
  });
}

test('triggerSavepoint keeps the job running', async () => {
  const out: string[] = [];
  const client = job(2, out).executeAsync();
  while (out.length < 100) await new Promise((r) => setTimeout(r, 5));
  const path = await client.triggerSavepoint(mkdtempSync(join(tmpdir(), 'eddy-sp-')));
  assert.match(path, /savepoint-\d+-[0-9a-f]{8}$/);
  assert.equal((await client.result).status, 'FINISHED');
  assert.deepEqual(out.sort(), await uninterrupted());
});

test('state for a missing operator is refused unless allowNonRestoredState', async () => {
  const { path } = await savepointAtParallelism2();
  const refused = job(2, [], { fromSavepoint: path }, false).execute();
  await assert.rejects(refused, (e: unknown) => {
    assert.ok(e instanceof EddyError);
    assert.equal(e.code, 'RESTORE_FAILED');
    assert.match(e.message, /operator "Keyed Process|uid "counts"/);
    assert.match(e.message, /allowNonRestoredState/);
    return true;
  });
  const out: string[] = [];
  await job(2, out, { fromSavepoint: path, allowNonRestoredState: true }, false).execute();
  assert.ok(out.length > 0);
});
