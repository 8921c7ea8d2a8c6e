/**
 * The `eddy` command line: `eddy <command> [flags]`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { EddyError } from '../errors/eddy-error.ts';
import { suggest, usageError } from './cli-error.ts';
import { benchCommand, benchHelp } from './commands/bench-command.ts';
import { checkpointsCommand, checkpointsHelp } from './commands/checkpoints-command.ts';
import { inspectCommand, inspectHelp } from './commands/inspect-command.ts';
import { packageCommand, packageHelp } from './commands/package-command.ts';
import { planCommand, planHelp } from './commands/plan-command.ts';
import { runCommand, runHelp } from './commands/run-command.ts';
import { stateCommand, stateHelp } from './commands/state-command.ts';

type Command = {
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
};

const commands: Record<string, Command> = {
  run: { summary: 'run a job file in this process', help: runHelp, run: runCommand },
  plan: {
    summary: 'print the plan of a job file without running it',
    help: planHelp,
    run: planCommand,
  },
  package: {
    summary: 'package a job file as one application artifact (app.eddy)',
    help: packageHelp,
    run: packageCommand,
  },
  inspect: {
    summary: "print an artifact's manifest and plan, verifying checksums",
    help: inspectHelp,
    run: inspectCommand,
  },
  checkpoints: {
    summary: "list a job's checkpoint history (or describe a savepoint), verifying checksums",
    help: checkpointsHelp,
    run: checkpointsCommand,
  },
  state: {
    summary: 'print the keyed state saved in a checkpoint or savepoint',
    help: stateHelp,
    run: stateCommand,
  },
  bench: {
    summary: 'run a benchmark (Nexmark) and print throughput and CPU use',
    help: benchHelp,
    run: benchCommand,
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function help(): string {
  const entries: [string, string][] = [
    ...Object.entries(commands).map(([name, c]): [string, string] => [name, c.summary]),
    ['help', 'show help for a command (eddy help run)'],
  ];
  // One column wide enough for the longest command name, plus two spaces.
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  const rows = entries.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`);
  return `eddy ${version()} — stateful stream processing for TypeScript

Usage: eddy <command> [flags]

Commands:
${rows.join('\n')}

Run "eddy <command> --help" for the flags of a command.`;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      console.log(help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      console.log(version());
      return 0;
    }
    if (name === 'help') {
      const target = rest[0] !== undefined ? commands[rest[0]] : undefined;
      console.log(target?.help ?? help());
      return 0;
    }
    const command = commands[name];
    if (command === undefined) {
      const close = suggest(name, Object.keys(commands));
      throw usageError(
        `unknown command "${name}"`,
        close !== undefined
          ? `did you mean "eddy ${close}"? (eddy --help lists commands)`
          : 'eddy --help lists the commands',
      );
    }
    return await command.run(rest);
  } catch (e) {
    printError(e);
    return e instanceof EddyError && e.code === 'CLI_USAGE' ? 2 : 1;
  }
}

function printError(e: unknown): void {
  if (e instanceof EddyError) {
    process.stderr.write(`eddy: error: ${e.message}\n`);
    const cause = e.cause;
    if (cause instanceof Error && e.code !== 'CLI_USAGE') {
      process.stderr.write(`\ncaused by: ${cause.stack ?? cause.message}\n`);
    }
    return;
  }
  process.stderr.write(
    `eddy: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
}
