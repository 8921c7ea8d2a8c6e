/**
 * The layer rules hold, and fail when broken: eslint's `eddy/layers` rejects an import against
 * the direction of the layers (docs/architecture.md, "Layers"), and scripts/check-cycles.mjs
 * rejects an import cycle between folders — each shown on a deliberate violation, and passing on
 * the real tree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = new URL('../..', import.meta.url).pathname;

async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'eddy/layers').map((m) => m.message);
}

test('eddy/layers rejects an import from a lower layer into a higher one, and names the fix', async () => {
  const errors = await layerErrors(
    'src/runtime/deliberate-violation.ts',
    "import { DataStream } from '../api/data-stream.ts';\nexport const x = DataStream;\n",
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /src\/runtime\/ must not import src\/api\//);
  assert.match(errors[0] ?? '', /src\/core\//);
  // The same for each of the lower layers the issue names, and for a dynamic import.
  for (const [file, spec] of [
    ['src/state/x.ts', '../api/keyed-stream.ts'],
    ['src/time/x.ts', '../runtime/job-run.ts'],
    ['src/connectors/x.ts', '../api/stream-environment.ts'],
    ['src/plan/x.ts', '../runtime/job-wiring.ts'],
    ['src/core/x.ts', '../plan/plan.ts'],
  ] as const) {
    assert.equal((await layerErrors(file, `export * from '${spec}';\n`)).length, 1, file);
  }
  assert.equal(
    (
      await layerErrors(
        'src/state/x.ts',
        "export const m = () => import('../runtime/job-run.ts');\n",
      )
    ).length,
    1,
  );
});

test('eddy/layers accepts imports downwards, and tests may import anything', async () => {
  assert.deepEqual(
    await layerErrors(
      'src/runtime/x.ts',
      "export * from '../plan/plan.ts';\nexport * from '../core/window.ts';\n",
    ),
    [],
  );
  assert.deepEqual(
    await layerErrors('src/api/x.ts', "export * from '../connectors/function-sink.ts';\n"),
    [],
  );
  assert.deepEqual(
    await layerErrors('src/runtime/x.test.ts', "export * from '../api/data-stream.ts';\n"),
    [],
  );
});

/** Runs scripts/check-cycles.mjs on `src` (default: the real tree). */
function checkCycles(src?: string): { status: number | null; stdout: string; stderr: string } {
  const args = ['scripts/check-cycles.mjs', ...(src !== undefined ? ['--src', src] : [])];
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

/** Writes `files` (path → text) under `dir`. */
async function writeTree(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

test('check-cycles fails on a cycle between folders and passes on the real tree', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-cycles-'));
  try {
    const src = join(dir, 'src');
    await writeTree(src, {
      'a/x.ts': "import type { Y } from '../b/y.ts';\nexport type X = Y;\n",
      'b/y.ts': "import type { X } from '../a/x.ts';\nexport type Y = X | 1;\n",
    });
    const bad = checkCycles(src);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /import cycles across folders of src\/ \(1\)/);
    assert.match(bad.stderr, /src\/a\/x\.ts {2}→ {2}src\/b\/y\.ts/);
    // A cycle inside one folder is allowed (the API's stream classes return each other).
    await writeTree(src, {
      'b/y.ts': 'export type Y = 1;\n',
      'a/z.ts': "import type { X } from './x.ts';\nexport type Z = X;\n",
      'a/x.ts': "import type { Z } from './z.ts';\nexport type X = Z;\n",
    });
    const sameFolder = checkCycles(src);
    assert.equal(sameFolder.status, 0, sameFolder.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const real = checkCycles();
  assert.equal(real.status, 0, real.stderr);
});
