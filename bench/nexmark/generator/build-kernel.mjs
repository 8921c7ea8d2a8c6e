// Compiles the generator's WebAssembly kernel (ADR 0025):
//   node bench/nexmark/generator/build-kernel.mjs [--out <file>]
// from assembly/event-kernel.ts (AssemblyScript) to event-kernel.wasm beside this script. The
// memory is fixed (6 pages, never grown: the host keeps views on it) and the module's own data,
// if any, goes above the regions the host writes (5 pages). The build is deterministic:
// event-kernel.test.ts rebuilds it and compares the bytes with the committed file.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : join(here, 'event-kernel.wasm');
if (
  out === undefined ||
  args.some((a, i) => a.startsWith('-') && a !== '--out' && i !== outAt + 1)
) {
  console.error('usage: node bench/nexmark/generator/build-kernel.mjs [--out <file.wasm>]');
  process.exit(2);
}
const asc = join(
  dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')),
  'bin',
  'asc.js',
);
const result = spawnSync(
  process.execPath,
  [
    asc,
    join(here, 'assembly', 'event-kernel.ts'),
    '-O3',
    '--runtime',
    'stub',
    '--noAssert',
    '--initialMemory',
    '6',
    '--maximumMemory',
    '6',
    '--memoryBase',
    '327680',
    '-o',
    out,
  ],
  { stdio: 'inherit', cwd: join(here, '..', '..', '..') },
);
process.exit(result.status ?? 1);
