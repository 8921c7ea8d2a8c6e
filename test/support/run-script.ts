/**
 * Runs one of the project's service scripts (`scripts/kafka.mjs`, `scripts/postgres.mjs`) as a
 * child process for the tests.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';

/**
 * `node <script> <command>` with `env` added to the environment; resolves to its output, rejects
 * with the output in the message when it fails or runs longer than `timeoutMs`.
 */
export function runNodeScript(
  script: string,
  command: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, command],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) {
          const what = `node scripts/${basename(script)} ${command}`;
          reject(
            new Error(`${what} failed: ${error.message}\n${stdout}${stderr}`, { cause: error }),
          );
          return;
        }
        resolve(`${stdout}${stderr}`);
      },
    );
  });
}
