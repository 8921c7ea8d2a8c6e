#!/usr/bin/env node
// Runs every *.test.ts under src/, test/, examples/ and bench/ with node:test through tsx.
// Node 20 finds no .ts test files by itself, so the list is built here.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters the file list)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const roots = ['src', 'test', 'examples', 'bench'];
const skipDirs = new Set(['node_modules', 'target', 'results', 'fixtures']);

/** @param {string} dir @param {string[]} out */
function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (skipDirs.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
}

const files = [];
for (const r of roots) walk(join(root, r), files);
files.sort();
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--conditions=eddy-source',
    '--test',
    // A test file whose tests timed out can keep its process alive with the handles they left
    // (a client mid-request): end each file when its tests end, so a failure cannot hang CI.
    '--test-force-exit',
    `--test-concurrency=${concurrency}`,
    ...selected,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
