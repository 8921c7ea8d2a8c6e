// The file a Kafka producer worker thread starts from. Node 20 does not run `--import` loaders in
// worker threads, so from Eddy's TypeScript sources (a repository checkout) the worker registers
// tsx itself (as the runtime's slot workers do, src/runtime/parallel/slot-worker-entry.mjs);
// built (dist/), its code is JavaScript and needs no loader. Transactional producers
// (exactly-once sinks) and idempotent ones (at-least-once) have their own bodies.
import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const fromSource = existsSync(new URL('./producer-worker.ts', import.meta.url));
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
}
const ext = fromSource ? 'ts' : 'js';
if (workerData?.mode === 'transactional') await import(`./transactional-producer-worker.${ext}`);
else await import(`./producer-worker.${ext}`);
