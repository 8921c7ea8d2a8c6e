// The file a Kafka producer worker thread starts from: Node 20 does not run `--import` loaders in
// worker threads, so the worker registers tsx itself before loading the TypeScript entry point
// (as the runtime's slot workers do, src/runtime/parallel/slot-worker-entry.mjs). Transactional
// producers (exactly-once sinks) and idempotent ones (at-least-once) have their own bodies.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
if (workerData?.mode === 'transactional') await import('./transactional-producer-worker.ts');
else await import('./producer-worker.ts');
