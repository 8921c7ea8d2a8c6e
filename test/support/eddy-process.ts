/**
 * `eddy` as a child process, for tests that kill, signal or restart a job: its output so far,
 * waiting for a line on stderr, and its exit.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eddyBin = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

/** How an `eddy` process ended. */
export interface EddyExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `eddy` process. */
export interface EddyProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its output is complete. */
  readonly exit: Promise<EddyExit>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once stderr matches `pattern` (rejects if the process exits first or on timeout). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * A process still running this long after it started is killed (SIGKILL), so that a test of a
 * job that should have ended fails instead of hanging the suite.
 */
const LIFETIME_MS = 5 * 60_000;

/** Starts `eddy <args>` in the repository root with extra environment variables. */
export function startEddy(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  lifetimeMs = LIFETIME_MS,
): EddyProcess {
  const child = spawn(process.execPath, [eddyBin, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = setTimeout(() => {
    stderr += `\n[test: eddy still running after ${lifetimeMs} ms; killed]\n`;
    child.kill('SIGKILL');
  }, lifetimeMs);
  deadline.unref();
  const exit = new Promise<EddyExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      exited = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    exit,
    stderr: () => stderr,
    async waitForStderr(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stderr)) {
        if (exited) throw new Error(`eddy exited before stderr matched ${pattern}:\n${stderr}`);
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}:\n${stderr}`);
        }
        await sleep(20);
      }
    },
  };
}

/** Runs `eddy <args>` to the end. */
export function runEddy(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<EddyExit> {
  return startEddy(args, env).exit;
}
