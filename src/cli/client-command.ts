/**
 * The shape of the CLI's API client commands (`eddy apps start`, `eddy deploy` …): their flags
 * beside the common ones (`--server`, `--token`, `--json`, `--help`), their positional arguments,
 * their help, and groups of them (`eddy apps <subcommand>`).
 *
 * @module
 */
import { ApiClient, DEFAULT_SERVER } from './api-client.ts';
import { suggest, usageError } from './cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec, type ParsedArgs } from './parse-flags.ts';

/** Flags every client command takes. */
export const CLIENT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'server',
    type: 'string',
    placeholder: '<url>',
    description: `the eddy server (default $EDDY_SERVER, else ${DEFAULT_SERVER})`,
  },
  {
    name: 'token',
    type: 'string',
    placeholder: '<token>',
    description: 'the API token (default $EDDY_TOKEN)',
  },
  { name: 'json', type: 'boolean', description: 'print the answer as JSON' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/** Flags of commands that start a long operation. */
export const WAIT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'no-wait',
    type: 'boolean',
    description: 'answer once the server accepted the operation; do not wait for it to end',
  },
  {
    name: 'timeout',
    type: 'number',
    placeholder: '<seconds>',
    description: 'how long to wait for the operation (default 600)',
  },
];

/** What a client command runs with. */
export interface ClientContext {
  readonly client: ApiClient;
  readonly flags: ParsedArgs['flags'];
  /** The positional arguments, by the names the command declares. */
  readonly args: Readonly<Record<string, string>>;
  /** `--json`. */
  readonly json: boolean;
}

/** One client command. */
export interface ClientCommand {
  /** One line, for the group's help. */
  readonly summary: string;
  /** Positional arguments, all required, e.g. `['name']`. */
  readonly args?: readonly string[];
  /** Flags besides {@link CLIENT_FLAGS}. */
  readonly flags?: readonly FlagSpec[];
  /** Paragraphs and examples printed after the usage line. */
  readonly details?: string;
  run(ctx: ClientContext): Promise<number>;
}

/** Prints `value` as JSON (`--json`) or as `text`. */
export function print(ctx: ClientContext, value: unknown, text: () => string): void {
  if (ctx.json) console.log(JSON.stringify(value, null, 2));
  else {
    const out = text();
    if (out !== '') console.log(out);
  }
}

/** The help of one command; `command` is e.g. `apps start`. */
export function commandHelp(command: string, spec: ClientCommand): string {
  const args = (spec.args ?? []).map((a) => ` <${a}>`).join('');
  return `Usage: eddy ${command}${args} [flags]

${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.${spec.details === undefined ? '' : `\n\n${spec.details}`}

Flags:
${formatFlags([...(spec.flags ?? []), ...CLIENT_FLAGS])}`;
}

/** Parses `argv` for `spec` and runs it. */
export async function runClientCommand(
  command: string,
  spec: ClientCommand,
  argv: readonly string[],
): Promise<number> {
  const { flags, positionals } = parseFlags(
    argv,
    [...(spec.flags ?? []), ...CLIENT_FLAGS],
    command,
  );
  if (flags['help'] === true) {
    console.log(commandHelp(command, spec));
    return 0;
  }
  const names = spec.args ?? [];
  if (positionals.length < names.length) {
    throw usageError(
      `eddy ${command} needs <${names[positionals.length]}>`,
      `eddy ${command} --help shows its usage`,
    );
  }
  if (positionals.length > names.length) {
    throw usageError(
      `unexpected argument "${positionals[names.length]}" for "eddy ${command}"`,
      `eddy ${command} --help shows its usage`,
    );
  }
  const args: Record<string, string> = {};
  names.forEach((n, i) => (args[n] = positionals[i]!));
  const server =
    (flags['server'] as string | undefined) ?? process.env['EDDY_SERVER'] ?? DEFAULT_SERVER;
  if (!/^https?:\/\/[^/\s]+/.test(server)) {
    throw usageError(
      `--server must be an http(s) URL (got "${server}")`,
      `for example --server ${DEFAULT_SERVER}`,
    );
  }
  const token = (flags['token'] as string | undefined) ?? (process.env['EDDY_TOKEN'] || undefined);
  return spec.run({
    client: new ApiClient(server, token),
    flags,
    args,
    json: flags['json'] === true,
  });
}

/** A group of subcommands (`eddy apps …`). */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: Readonly<Record<string, ClientCommand>>;
}

/** The help of a group: its subcommands and their summaries. */
export function groupHelp(group: CommandGroup): string {
  const names = Object.keys(group.commands);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return `Usage: eddy ${group.name} <command> [flags]

${group.summary[0]!.toUpperCase()}${group.summary.slice(1)}, through the eddy server's API.

Commands:
${names.map((n) => `  ${n.padEnd(width)}${group.commands[n]!.summary}`).join('\n')}

Run "eddy ${group.name} <command> --help" for its flags. Every command takes --server,
--token and --json.`;
}

/** Runs `eddy <group> <subcommand> …`. */
export async function runGroup(group: CommandGroup, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(groupHelp(group));
    return sub === undefined ? 2 : 0;
  }
  const spec = group.commands[sub];
  if (spec === undefined) {
    const close = suggest(sub, Object.keys(group.commands));
    throw usageError(
      `unknown command "eddy ${group.name} ${sub}"`,
      close !== undefined
        ? `did you mean "eddy ${group.name} ${close}"?`
        : `eddy ${group.name} --help lists its commands`,
    );
  }
  return runClientCommand(`${group.name} ${sub}`, spec, rest);
}
