#!/usr/bin/env node
// `npm run build` (and `npm pack`, through prepack): compiles src/ into dist/ — JavaScript and
// .d.ts files, relative imports rewritten from .ts to .js (tsconfig.build.json) — and copies the
// worker threads' .mjs entry files, which tsc does not touch. Tests are not built.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
// Only used when Eddy runs from its sources (bin/eddy.js, slot workers).
const sourceOnly = new Set(['util/source-conditions.mjs']);

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** @param {string} dir @param {(file: string) => void} visit */
function walk(dir, visit) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, visit);
    else visit(full);
  }
}

walk(src, (file) => {
  if (file.endsWith('.mjs') && !sourceOnly.has(relative(src, file))) {
    cpSync(file, join(dist, relative(src, file)));
  }
});
// tsc rewrites .ts imports in JavaScript but keeps them in declarations; a user's compiler
// without allowImportingTsExtensions would reject them, so they point at the .js files.
const tsImport = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)\.ts(['"])/g;
walk(dist, (file) => {
  if (!file.endsWith('.d.ts')) return;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(tsImport, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(file, rewritten);
});
// The web dashboard (web/ → dist/dashboard/), served by `eddy server` at `/`.
const dashboard = spawnSync(process.execPath, [join(root, 'scripts/build-dashboard.mjs')], {
  stdio: 'inherit',
});
if (dashboard.status !== 0) process.exit(dashboard.status ?? 1);
