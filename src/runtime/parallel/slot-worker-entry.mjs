// The file a slot worker thread starts from: Node 20 does not run `--import` loaders in worker
// threads, so the worker registers tsx itself before loading the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./slot-worker.ts');
