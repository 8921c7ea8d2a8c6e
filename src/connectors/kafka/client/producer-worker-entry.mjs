// The file a Kafka producer worker thread starts from: Node 20 does not run `--import` loaders in
// worker threads, so the worker registers tsx itself before loading the TypeScript entry point
// (as the runtime's slot workers do, src/runtime/parallel/slot-worker-entry.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./producer-worker.ts');
