/**
 * The kill test with checkpoints on object storage: the job of `test/state/fixtures/kill-job.ts`
 * keeps its checkpoints on S3Proxy (`s3://…`) and is SIGKILLed at seeded random moments (at
 * least 10 times) — also in the middle of uploads — and restarted with the same checkpoint
 * location; its committed output must equal that of an uninterrupted run, record for record.
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs s3-kill-recovery`.
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { CHECKPOINT_PREFIX } from '../../src/runtime/checkpoint/checkpoint-coordinator.ts';
import { METADATA_FILE } from '../../src/runtime/checkpoint/checkpoint-store.ts';
import type { BlobStore } from '../../src/storage/blob-store.ts';
import { openBlobStore } from '../../src/storage/open-blob-store.ts';
import { KILL_SEED, committedLines, killLoop, type Launcher } from '../support/kill-loop.ts';
import { ensureS3, uniquePrefix, type S3Server } from '../support/s3-server.ts';

const KILLS = 10;
const fixture = new URL('../state/fixtures/kill-job.ts', import.meta.url).pathname;
const s3 = await ensureS3();
const root = 'skip' in s3 ? '' : `s3://${(s3 as S3Server).bucket}/${uniquePrefix('kill')}`;

/** `node --import tsx kill-job.ts <dir> <seed>` with its checkpoints under `root`. */
const onS3: Launcher = (job, dir, seed) => ({
  args: ['--import', 'tsx', job, dir, String(seed)],
  env: { EDDY_KILL_CHECKPOINT_ROOT: root },
});

const stores = new Map<string, Promise<BlobStore>>();

/** The newest checkpoint of a run whose `_metadata` is on S3 (its marker: complete). */
async function newestOnS3(dir: string): Promise<number> {
  let store = stores.get(dir);
  if (store === undefined) {
    store = openBlobStore(`${root}/${basename(dir)}/chk`);
    stores.set(dir, store);
  }
  let max = 0;
  for (const key of await (await store).list(CHECKPOINT_PREFIX)) {
    const m = new RegExp(`^${CHECKPOINT_PREFIX}(\\d+)/${METADATA_FILE}$`).exec(key);
    if (m !== null) max = Math.max(max, Number(m[1]));
  }
  return max;
}

test(
  `checkpoints on S3: SIGKILL ${KILLS}+ times, output equals an uninterrupted run (seed ${KILL_SEED})`,
  { skip: 'skip' in s3 ? s3.skip : false },
  async () => {
    try {
      const { dir, referenceDir } = await killLoop(
        fixture,
        KILLS,
        KILL_SEED,
        'eddy-kill-s3',
        onS3,
        newestOnS3,
      );
      const expected = committedLines(referenceDir);
      const actual = committedLines(dir);
      assert.ok(expected.length > 1000, `reference has ${expected.length} records`);
      assert.equal(actual.length, expected.length, `seed ${KILL_SEED}: record count differs`);
      assert.deepEqual(actual, expected, `seed ${KILL_SEED}`);
    } finally {
      for (const store of stores.values()) await (await store).close();
    }
  },
);
