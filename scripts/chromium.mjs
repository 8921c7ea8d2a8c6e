#!/usr/bin/env node
// Finds Debian's Chromium for the dashboard's browser tests (test/dashboard/), installing it when
// missing: `apt-get install -y chromium` (after `apt-get update` if needed) when running as root —
// CI starts from nothing — and otherwise says what to install. Nothing is downloaded from a
// browser vendor: playwright-core drives the system's Chromium. Plain Node ESM, no dependencies.
//
//   node scripts/chromium.mjs path     prints the executable (installing it first if needed)
//
// Environment:
//   EDDY_CHROMIUM   the executable to use (skips the search and the install)

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './file-lock.mjs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/usr/bin/google-chrome',
];
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** An expected failure: printed without a stack trace, exit code 1. */
class ChromiumScriptError extends Error {}

/** The Chromium executable, or undefined. */
export function findChromium() {
  const given = process.env.EDDY_CHROMIUM;
  if (given) {
    if (!existsSync(given)) throw new ChromiumScriptError(`EDDY_CHROMIUM=${given} does not exist`);
    return given;
  }
  return CANDIDATES.find((c) => existsSync(c));
}

function apt(args) {
  // apt's progress goes to stderr: stdout carries only the executable's path (`path` prints it,
  // and callers read it from there).
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 2, 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** The Chromium executable, installed from Debian's packages when missing (as root). */
export async function ensureChromium() {
  const found = findChromium();
  if (found !== undefined) return found;
  if (!IS_ROOT) {
    throw new ChromiumScriptError(
      'Chromium is not installed: run `sudo apt-get install -y chromium` ' +
        '(or set EDDY_CHROMIUM to a Chromium or Chrome executable)',
    );
  }
  // Parallel test files may call this at once: one installs, the others wait and find it.
  const lock = join(tmpdir(), 'eddy-chromium-install.lock');
  const options = {
    log: (m) => process.stderr.write(`[chromium] ${m}\n`),
    timeoutMs: 15 * 60_000,
    fail: (m) => new ChromiumScriptError(m),
  };
  return withLock(
    lock,
    'installing chromium',
    () => {
      const again = findChromium();
      if (again !== undefined) return again;
      process.stderr.write('[chromium] installing Debian package chromium (apt-get)\n');
      const args = ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'];
      if (!apt(args) && !(apt(['update']) && apt(args))) {
        throw new ChromiumScriptError('apt-get install chromium failed (see the output above)');
      }
      const installed = findChromium();
      if (installed === undefined) {
        throw new ChromiumScriptError('apt-get installed chromium but no executable was found');
      }
      return installed;
    },
    options,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const command = process.argv[2] ?? 'path';
    if (command !== 'path') throw new ChromiumScriptError(`unknown command ${command}; use: path`);
    process.stdout.write(`${await ensureChromium()}\n`);
  } catch (e) {
    process.stderr.write(`[chromium] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
