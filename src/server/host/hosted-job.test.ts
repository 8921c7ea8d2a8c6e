import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runtimeModuleUrl } from '../../artifact/runtime-entry-points.ts';
import {
  discardWarmSlotWorkers,
  warmSlotWorkerCount,
  warmSlotWorkers,
} from '../../runtime/parallel/warm-slot-workers.ts';
import { HostedJob } from './hosted-job.ts';

const fixture = fileURLToPath(
  new URL('../../runtime/parallel/fixtures/word-count-job.ts', import.meta.url),
);

// What a host started with EDDY_HOST_WARM_SLOTS does before its job's start request arrives.
test("a hosted job's slots run on the slot workers warmed before it", async () => {
  warmSlotWorkers({ count: 2, preload: [runtimeModuleUrl('.')], typescript: true });
  assert.equal(warmSlotWorkerCount(), 2);
  let ran = false;
  const job = await HostedJob.start(
    'warm',
    fixture,
    // Two source subtasks, one slow map, a blackhole: two slots, no output.
    { parallelism: 2, properties: { 'fixture.mode': 'slow', 'fixture.count': '2000' } },
    () => (ran = true),
    () => {},
  );
  const result = await job.jobClient.result;
  assert.equal(result.status, 'FINISHED');
  assert.equal(ran, true);
  const sink = result.operators.find((o) => o.name.toLowerCase().includes('blackhole'));
  assert.equal(sink?.recordsIn, 2000, JSON.stringify(result.operators));
  assert.equal(warmSlotWorkerCount(), 0, 'the job took both warm workers');
});

test('warm slot workers nobody takes are ended', async () => {
  await discardWarmSlotWorkers();
  warmSlotWorkers({ count: 2, preload: [], typescript: true });
  assert.equal(warmSlotWorkerCount(), 2);
  await discardWarmSlotWorkers();
  assert.equal(warmSlotWorkerCount(), 0);
});
