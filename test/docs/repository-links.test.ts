/**
 * No link or path in the docs, README files, scripts or source comments points at a file missing
 * from the repository: Markdown links (relative to their file) and repository paths written in
 * prose or comments (`docs/…`, `src/…`, `test/…`, `scripts/…`, `bench/…`, `examples/…`, relative
 * to the root). A path that leaves the repository, or an absolute path of some machine, is an error
 * too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repositoryRoot } from '../support/scratch-project.ts';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'target', 'results', 'web']);
const TEXT_FILES = /\.(md|ts|mjs|js|sh)$|^run$/;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || (name.startsWith('.') && name !== '.ci')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files(full, out);
    else if (TEXT_FILES.test(name)) out.push(full);
  }
  return out;
}

const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g;
const REPOSITORY_PATH =
  /(?<![\w/.-])((?:\.\.?\/)*(?:docs|src|test|scripts|bench|examples|bin|reference)\/[\w./-]*\w\.(?:md|ts|mjs|js|json|sh))(?![\w/])/g;
/** Absolute paths of a machine the repository was written on. */
const MACHINE_PATH = /(?<![\w.:/~])(\/(?:work|home|root)\/[\w./-]+)/g;
const DESIGN = /(?<![\w/.-])((?:\.\.\/)*(?:shared\/)?DESIGN\.md)/g;

/** Every broken reference as `file:line: target`. */
function brokenReferences(): string[] {
  const broken: string[] = [];
  for (const file of files(repositoryRoot)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const rel = relative(repositoryRoot, file);
    lines.forEach((line, i) => {
      const report = (target: string, base: string): void => {
        const path = resolve(base, target.split('#')[0] as string);
        const inside = !relative(repositoryRoot, path).startsWith('..');
        if (!inside || !existsSync(path)) broken.push(`${rel}:${i + 1}: ${target}`);
      };
      if (file.endsWith('.md')) {
        for (const m of line.matchAll(MARKDOWN_LINK)) {
          const target = m[1] as string;
          if (/^[a-z]+:|^#|^<|^\{/.test(target)) continue;
          report(target, dirname(file));
        }
      }
      for (const m of line.matchAll(REPOSITORY_PATH)) {
        const target = m[1] as string;
        // Paths made up as examples on purpose: no-such…, deliberate-…, x.ts (the layers test).
        const madeUp = /\bfixtures\/|no-such|deliberate-|\/x\.(?:test\.)?ts$/.test(target);
        if (target.includes('*') || madeUp) {
          continue;
        }
        report(target, target.startsWith('.') ? dirname(file) : repositoryRoot);
      }
      for (const m of line.matchAll(DESIGN)) report(m[1] as string, dirname(file));
      for (const m of line.matchAll(MACHINE_PATH))
        broken.push(`${rel}:${i + 1}: ${m[1] as string}`);
    });
  }
  return broken;
}

test('every link and path in docs, READMEs, scripts and comments exists in the repository', () => {
  assert.deepEqual(brokenReferences(), []);
});
