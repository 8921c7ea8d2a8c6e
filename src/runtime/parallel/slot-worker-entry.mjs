// The file a slot worker thread starts from. Node 20 does not run `--import` loaders in worker
// threads, so the worker registers tsx itself when it needs it: to run Eddy from its TypeScript
// sources (a repository checkout, where job files import 'eddy' under the `eddy-source`
// condition, src/util/source-conditions.mjs) or to re-import a TypeScript job file. Built
// (dist/), the worker's own code is JavaScript. A warm worker (warm-slot-workers.ts) does the
// same before its job exists, imports the modules the job will import, and waits for its slot.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';

const warm = workerData.warm;
const fromSource = existsSync(new URL('./slot-worker.ts', import.meta.url));
if (fromSource) registerHooks('../../util/source-conditions.mjs', import.meta.url);
const typescript =
  warm !== undefined
    ? warm.typescript
    : /\.[cm]?tsx?$/.test(new URL(workerData.jobUrl ?? 'file:///x.js').pathname);
if (fromSource || typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
// A preload that fails is not this worker's error: the job's own import reports it.
const preloads = (warm?.preload ?? []).map((url) => import(url).catch(() => undefined));
await import(fromSource ? './slot-worker.ts' : './slot-worker.js');
await Promise.all(preloads);
