#!/usr/bin/env node
// Fails on import cycles between files of different folders of src/ (tests and job fixtures
// excluded; type-only imports included): such a cycle means two parts cannot be understood,
// tested or moved apart, and the layer rules of eslint.config.js only see one import at a time.
// Cycles inside one folder are allowed: the API's stream classes return each other, as Flink's do. A small script rather than
// dependency-cruiser: our imports are relative `.ts` specifiers, so resolving them is one line,
// and the check runs in ~50 ms with nothing to install (docs/adr/0012-layers-and-cycles.md).
// Usage: node scripts/check-cycles.mjs [--json] [--src DIR]   (DIR: another tree, for its test)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const srcFlag = process.argv.indexOf('--src');
const src =
  srcFlag > 0 && process.argv[srcFlag + 1] !== undefined
    ? resolve(process.argv[srcFlag + 1])
    : join(resolve(new URL('..', import.meta.url).pathname), 'src');
const root = dirname(src);
const isModule = (name) => /\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.test.ts');

/** @param {string} dir @param {string[]} out */
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'fixtures') walk(full, out);
    } else if (isModule(name)) out.push(full);
  }
  return out;
}

const IMPORT =
  /(?:^|[^.\w])(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const files = walk(src, []);
/** @type {Map<string, string[]>} */
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), m[1] ?? m[2]);
    if (existsSync(target) && target.startsWith(src)) targets.push(target);
  }
  graph.set(file, targets);
}

// Tarjan's strongly connected components, iteratively (deep import chains overflow recursion).
let index = 0;
const idx = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const components = [];
for (const start of graph.keys()) {
  if (idx.has(start)) continue;
  const work = [[start, 0]];
  idx.set(start, index);
  low.set(start, index++);
  stack.push(start);
  onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const [v, i] = frame;
    const edges = graph.get(v) ?? [];
    if (i < edges.length) {
      frame[1]++;
      const w = edges[i];
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        idx.set(w, index);
        low.set(w, index++);
        stack.push(w);
        onStack.add(w);
        work.push([w, 0]);
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(v)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (new Set(component.map((f) => dirname(f))).size > 1) components.push(component);
    }
  }
}

const rel = (f) => relative(root, f);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(components.map((c) => c.map(rel).sort())));
} else if (components.length > 0) {
  console.error(`import cycles across folders of src/ (${components.length}); break each, e.g. by`);
  console.error('moving what both sides need into the lower folder or src/core/:');
  for (const c of components) {
    console.error(`- ${c.length} files:`);
    for (const f of c.map(rel).sort()) {
      const inCycle = (graph.get(resolve(root, f)) ?? []).filter((t) => c.includes(t)).map(rel);
      console.error(`    ${f}  →  ${inCycle.join(', ')}`);
    }
  }
} else {
  console.log(`no import cycles across folders among ${files.length} modules of src/`);
}
process.exit(components.length > 0 ? 1 : 0);
