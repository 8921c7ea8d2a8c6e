#!/usr/bin/env node
// Builds the web dashboard (web/, Preact + Vite) into dist/dashboard/, which `eddy server` serves
// at `/`. Part of `npm run build`; `npm start` runs it with --if-missing. The built files are
// not committed. Everything the page needs is bundled: nothing comes from a CDN.
//
//   node scripts/build-dashboard.mjs [--if-missing]

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../dist/dashboard/index.html', import.meta.url));

if (process.argv.includes('--if-missing') && existsSync(out)) process.exit(0);
let build;
try {
  ({ build } = await import('vite'));
} catch {
  process.stderr.write(
    'eddy: the dashboard is not built and Vite is not installed: run `npm install` in the Eddy checkout, then `npm run build`\n',
  );
  process.exit(1);
}
const started = Date.now();
await build({ configFile: `${root}web/vite.config.mjs`, logLevel: 'warn' });
process.stdout.write(`eddy: dashboard built into dist/dashboard in ${Date.now() - started} ms\n`);
