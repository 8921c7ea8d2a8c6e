/**
 * The kill test of the LMDB backend with incremental checkpoints (issue 19): the job of
 * `fixtures/kill-job.ts` with `EDDY_KILL_LMDB=1` is SIGKILLed at seeded random moments (at least
 * 10 times) and restarted with the same checkpoint directory; its committed output must equal
 * that of an uninterrupted run, record for record. Restarts continue the state chains of the
 * checkpoint they restore, so a lost or wrongly merged change file shows as a wrong count. After
 * the last run, `shared/` holds exactly the files the retained checkpoints reference: what the
 * killed runs left behind was released. Replay: `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs
 * lmdb-incremental-kill`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeMetadata } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import { sharedFilesOf } from '../../src/runtime/checkpoint/shared-state-registry.ts';
import { KILL_SEED, committedLines, killLoop, type Launcher } from '../support/kill-loop.ts';

const KILLS = 10;
const fixture = new URL('./fixtures/kill-job.ts', import.meta.url).pathname;

const lmdb: Launcher = (job, dir, seed) => ({
  args: ['--import', 'tsx', job, dir, String(seed)],
  env: { EDDY_KILL_LMDB: '1' },
});

test(`LMDB, incremental checkpoints: SIGKILL ${KILLS}+ times, output equals an uninterrupted run (seed ${KILL_SEED})`, async () => {
  const { dir, referenceDir } = await killLoop(fixture, KILLS, KILL_SEED, 'eddy-kill-lmdb', lmdb);
  const expected = committedLines(referenceDir);
  const actual = committedLines(dir);
  assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
  assert.equal(actual.length, expected.length, `seed ${KILL_SEED}: record count differs`);
  assert.deepEqual(actual, expected, `seed ${KILL_SEED}`);

  const chk = join(dir, 'chk');
  const retained = readdirSync(chk).filter((n) => /^chk-\d+$/.test(n));
  const referenced = new Set<string>();
  let increments = 0;
  for (const c of retained) {
    const m = decodeMetadata(readFileSync(join(chk, c, '_metadata')));
    for (const op of m.operators)
      for (const st of op.subtasks)
        increments += (st.keyedChain ?? []).filter((f) => !f.full).length;
    for (const f of sharedFilesOf(m)) referenced.add(f);
  }
  assert.ok(referenced.size > 0, 'the keyed state is in shared files');
  assert.ok(increments > 0, 'the retained checkpoints hold incremental files');
  assert.deepEqual(readdirSync(join(chk, 'shared')).sort(), [...referenced].sort());
});
