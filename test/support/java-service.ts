/**
 * What the test helpers for Java servers share (`kafka-broker.ts`, `s3-server.ts`): whether Java
 * and Maven are here (else a reason to skip, or a loud failure in CI), and running the server's
 * script (`scripts/<name>.mjs start|stop|restart|status`).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from './run-script.ts';

/** Why tests are skipped on this machine, and how to enable them. */
export interface ServerSkip {
  readonly skip: string;
}

const SCRIPT_TIMEOUT_MS = 10 * 60_000;

function hasCommand(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return result.error === undefined && result.status === 0;
}

/**
 * Why no Java server can be started here (missing Java or Maven), or undefined. `what` names
 * the tests and `then` says how to run them once installed. Throws in CI (`CI=true`).
 */
export function missingJavaTools(what: string, then: string): ServerSkip | undefined {
  const missing = [
    hasCommand('java', ['-version']) ? null : 'java',
    hasCommand('mvn', ['-v']) ? null : 'mvn',
  ].filter((name): name is string => name !== null);
  if (missing.length === 0) return undefined;
  const message =
    `${what} need ${missing.join(' and ')}: install Java 17 and Maven ` +
    `(Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless maven), then ${then}`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  return { skip: message };
}

/** Runs `node scripts/<script> <command>`; resolves with its output, rejects with it on failure. */
export function runServiceScript(
  script: string,
  command: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  const path = fileURLToPath(new URL(`../../scripts/${script}`, import.meta.url));
  return runNodeScript(path, command, env, SCRIPT_TIMEOUT_MS);
}
