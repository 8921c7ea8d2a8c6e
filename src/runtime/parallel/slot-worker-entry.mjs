// The file a slot worker thread starts from. Node 20 does not run `--import` loaders in worker
// threads, so the worker registers tsx itself when it needs it: to run Eddy from its TypeScript
// sources (a repository checkout, where job files import 'eddy' under the `eddy-source`
// condition, src/util/source-conditions.mjs) or to re-import a TypeScript job file. Built
// (dist/), the worker's own code is JavaScript.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';

const fromSource = existsSync(new URL('./slot-worker.ts', import.meta.url));
if (fromSource) registerHooks('../../util/source-conditions.mjs', import.meta.url);
if (fromSource || /\.[cm]?tsx?$/.test(new URL(workerData.jobUrl ?? 'file:///x.js').pathname)) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(fromSource ? './slot-worker.ts' : './slot-worker.js');
