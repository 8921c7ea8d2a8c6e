/**
 * Runs an `eddy` command in this process (`main(argv)` of the CLI) with its stdout and stderr
 * captured: thousands of calls per second where a child process would take a second each, for
 * the fault and fuzz tests of the read-only commands (`eddy checkpoints`, `eddy state`, …).
 *
 * @module
 */
import { main } from '../../src/cli/main.ts';

/** How a command ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `eddy <argv>` here; output is captured, not printed. One at a time. The commands print
 * with `console.log` and `process.stderr.write`; `process.stdout` itself is left alone, since
 * the test runner reports through it.
 */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const { log, error, warn } = console;
  const err = process.stderr.write;
  const text = (args: unknown[]): string =>
    `${args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ')}\n`;
  console.log = (...args: unknown[]) => {
    stdout += text(args);
  };
  console.error = (...args: unknown[]) => {
    stderr += text(args);
  };
  console.warn = console.error;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    Object.assign(console, { log, error, warn });
    process.stderr.write = err;
  }
}
