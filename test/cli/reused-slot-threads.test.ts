import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { JobClient } from '../../src/core/job-client.ts';
import { loadJob } from '../../src/cli/load-job.ts';
import {
  discardWarmSlotWorkers,
  keepFinishedSlotWorkers,
  warmSlotWorkerCount,
} from '../../src/runtime/parallel/warm-slot-workers.ts';

const fixture = fileURLToPath(new URL('./fixtures/thread-ids.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eddy-thread-ids-'));

async function runJob(run: number): Promise<Set<string>> {
  const { jobs } = await loadJob(fixture, 'run', {
    parallelism: 2,
    properties: { 'fixture.dir': dir, 'fixture.run': String(run) },
  });
  const result = await (jobs[0] as JobClient).result;
  assert.equal(result.status, 'FINISHED');
  return new Set(
    readdirSync(dir)
      .filter((f) => f.startsWith(`${run}-`))
      .map((f) => f.slice(f.indexOf('-') + 1)),
  );
}

test("kept slot threads run the next job (a warm-up warms the measured job's threads); otherwise each job starts its own", async () => {
  keepFinishedSlotWorkers(true);
  try {
    const first = await runJob(1);
    assert.equal(first.size, 2, 'two slots, two threads');
    assert.equal(warmSlotWorkerCount(), 2, 'both went back to the pool');
    const second = await runJob(2);
    assert.deepEqual([...second].sort(), [...first].sort(), 'the same threads ran the second job');
    assert.equal(warmSlotWorkerCount(), 2);
  } finally {
    keepFinishedSlotWorkers(false);
  }
  // Not kept: the pooled threads are used once more, then end; the job after starts new ones.
  const third = await runJob(3);
  assert.equal(warmSlotWorkerCount(), 0);
  const fourth = await runJob(4);
  assert.equal(fourth.size, 2);
  for (const t of fourth) assert.ok(!third.has(t), `thread ${t} was not kept`);
  await discardWarmSlotWorkers();
});
