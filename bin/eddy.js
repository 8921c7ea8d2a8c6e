#!/usr/bin/env node
// The `eddy` command. Installed from npm, it runs the built JavaScript in dist/ and loads tsx only
// when a job file is TypeScript. In a checkout of the repository (src/ present) it runs Eddy's
// TypeScript sources through tsx (ADR 0002) and resolves `eddy` to them too (ADR 0011).
import { existsSync } from 'node:fs';
import { register } from 'node:module';

let entry = '../dist/cli/main.js';
if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  register('../src/util/source-conditions.mjs', import.meta.url);
  const tsx = await import('tsx/esm/api');
  tsx.register();
  // Read by src/cli/typescript-loader.ts: TypeScript job files need no second registration.
  globalThis[Symbol.for('eddy.typescript-loader')] = true;
  entry = '../src/cli/main.ts';
}
const { eddyProcess } = await import(entry);
process.exitCode = await eddyProcess(process.argv.slice(2));
