/**
 * The `eddy` command line: `eddy <command> [flags]`.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';
import { suggest, usageError } from './cli-error.ts';
import { outputFailure, watchOutput } from './closed-output.ts';
import { eddyVersion } from './eddy-version.ts';

/** A command, once its module is loaded. */
interface Command {
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

/**
 * One entry per command: its one-line summary and its module, imported only when the command runs
 * or its help is asked for, so `eddy --help` loads none of them (and no runtime, LMDB or Kafka).
 */
interface CommandEntry {
  readonly summary: string;
  load(): Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  run: {
    summary: 'run a job file (or an app.eddy artifact) in this process',
    load: () =>
      import('./commands/run-command.ts').then((m) => ({ help: m.runHelp, run: m.runCommand })),
  },
  plan: {
    summary: 'print the plan of a job file without running it',
    load: () =>
      import('./commands/plan-command.ts').then((m) => ({ help: m.planHelp, run: m.planCommand })),
  },
  package: {
    summary: 'package a job file as one application artifact (app.eddy)',
    load: () =>
      import('./commands/package-command.ts').then((m) => ({
        help: m.packageHelp,
        run: m.packageCommand,
      })),
  },
  inspect: {
    summary: "print an artifact's manifest and plan, verifying checksums",
    load: () =>
      import('./commands/inspect-command.ts').then((m) => ({
        help: m.inspectHelp,
        run: m.inspectCommand,
      })),
  },
  checkpoints: {
    summary: "list a job's checkpoint history (or describe a savepoint), verifying checksums",
    load: () =>
      import('./commands/checkpoints-command.ts').then((m) => ({
        help: m.checkpointsHelp,
        run: m.checkpointsCommand,
      })),
  },
  state: {
    summary: 'print the keyed state saved in a checkpoint or savepoint',
    load: () =>
      import('./commands/state-command.ts').then((m) => ({
        help: m.stateHelp,
        run: m.stateCommand,
      })),
  },
  server: {
    summary: 'run the control plane: deploy, run, snapshot, update and roll back applications',
    load: () =>
      import('./commands/server-command.ts').then((m) => ({
        help: m.serverHelp,
        run: m.serverCommand,
      })),
  },
  deploy: {
    summary: 'package, upload and start (or update) an application on an eddy server',
    load: () =>
      import('./commands/deploy-command.ts').then((m) => ({
        help: m.deployHelp,
        run: m.deployCommand,
      })),
  },
  apps: {
    summary:
      'manage applications on an eddy server (create, start, stop, update, rollback, logs …)',
    load: () =>
      import('./commands/apps-command.ts').then((m) => ({
        help: m.appsHelp,
        run: m.appsCommand,
      })),
  },
  artifacts: {
    summary: 'upload and manage application artifacts on an eddy server',
    load: () =>
      import('./commands/artifacts-command.ts').then((m) => ({
        help: m.artifactsHelp,
        run: m.artifactsCommand,
      })),
  },
  snapshots: {
    summary: "take and manage snapshots of an eddy server's applications",
    load: () =>
      import('./commands/snapshots-command.ts').then((m) => ({
        help: m.snapshotsHelp,
        run: m.snapshotsCommand,
      })),
  },
  operations: {
    summary: "list what was done to an eddy server's applications",
    load: () =>
      import('./commands/operations-command.ts').then((m) => ({
        help: m.operationsHelp,
        run: m.operationsCommand,
      })),
  },
  bench: {
    summary: 'run a benchmark (Nexmark) and print throughput and CPU use',
    load: () =>
      import('./commands/bench-command.ts').then((m) => ({
        help: m.benchHelp,
        run: m.benchCommand,
      })),
  },
};

function help(): string {
  const entries: [string, string][] = [
    ...Object.entries(commands).map(([name, c]): [string, string] => [name, c.summary]),
    ['help', 'show help for a command (eddy help run)'],
  ];
  // One column wide enough for the longest command name, plus two spaces.
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  const rows = entries.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`);
  return `eddy ${eddyVersion()} — stateful stream processing for TypeScript

Usage: eddy <command> [flags]

Commands:
${rows.join('\n')}

Run "eddy <command> --help" for the flags of a command.`;
}

/**
 * The `eddy` process (bin/eddy.js): {@link main}, with stdout closing early handled — a quiet
 * stop, not an EPIPE stack (`closed-output.ts`). Returns the process exit code.
 */
export async function eddyProcess(argv: readonly string[]): Promise<number> {
  watchOutput();
  const code = await main(argv);
  const failure = outputFailure();
  if (failure === undefined) return code;
  process.stderr.write(`eddy: error: cannot write the output: ${failure.message}\n`);
  return 1;
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
      console.log(eddyVersion());
      return 0;
    }
    if (name === 'help') {
      if (rest[0] === undefined) {
        console.log(help());
        return 0;
      }
      console.log((await load(find(rest[0], 'eddy help '))).help);
      return 0;
    }
    if (name === 'host') {
      // Hidden: the application host process that eddy server starts (not for users).
      const { runHost } = await import('../server/host/host-main.ts');
      return await runHost();
    }
    return await (await load(find(name, 'eddy '))).run(rest);
  } catch (e) {
    printError(e);
    return e instanceof EddyError && e.code === 'CLI_USAGE' ? 2 : 1;
  }
}

const loaded = new Map<CommandEntry, Promise<Command>>();

/**
 * The command's module, imported once: callers that run many commands in one process (the fault
 * and fuzz tests) otherwise pay a module resolution per call, which under a loader hook (tsx)
 * is a round trip to the hook's thread and most of the time of a small command.
 */
function load(entry: CommandEntry): Promise<Command> {
  let command = loaded.get(entry);
  if (command === undefined) loaded.set(entry, (command = entry.load()));
  return command;
}

/** The command called `name`, or a usage error suggesting the closest one. */
function find(name: string, prefix: string): CommandEntry {
  const command = commands[name];
  if (command !== undefined) return command;
  const close = suggest(name, Object.keys(commands));
  throw usageError(
    `unknown command "${name}"`,
    close !== undefined
      ? `did you mean "${prefix}${close}"? (eddy --help lists commands)`
      : 'eddy --help lists the commands',
  );
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
