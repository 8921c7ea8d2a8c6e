/**
 * Flag parsing for the CLI: `--name value`, `--name=value`, repeated flags, booleans, and errors
 * that name the bad flag and suggest the closest known one.
 *
 * @module
 */
import { suggest, usageError } from './cli-error.ts';

/** One flag a command accepts. */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean' | 'list';
  readonly description: string;
  readonly placeholder?: string;
  readonly short?: string;
}

/** Parsed flags and positional arguments. */
export interface ParsedArgs {
  readonly flags: Readonly<
    Record<string, string | number | boolean | readonly string[] | undefined>
  >;
  readonly positionals: readonly string[];
}

/** Parses `argv` against `specs`; throws a usage error on unknown or malformed flags. */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(
    specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]),
  );
  const flags: Record<string, string | number | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const rawName = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = rawName.startsWith('--')
      ? byName.get(rawName.slice(2))
      : byShort.get(rawName.slice(1));
    if (spec === undefined) {
      const close = suggest(
        rawName.replace(/^-+/, ''),
        specs.map((s) => s.name),
      );
      throw usageError(
        `unknown flag ${rawName} for "eddy ${command}"`,
        close !== undefined
          ? `did you mean --${close}? (eddy ${command} --help lists the flags)`
          : `eddy ${command} --help lists the flags`,
      );
    }
    if (spec.type === 'boolean') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false')
          throw usageError(`--${spec.name} takes true or false, got "${v}"`);
        flags[spec.name] = v === 'true';
      } else flags[spec.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw usageError(
        `--${spec.name} needs a value`,
        `write --${spec.name} ${spec.placeholder ?? '<value>'}`,
      );
    }
    if (spec.type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) {
        throw usageError(
          `--${spec.name} takes a number, got "${value}"`,
          `write --${spec.name} ${spec.placeholder ?? '<number>'}`,
        );
      }
      flags[spec.name] = n;
    } else if (spec.type === 'list') {
      const list = (flags[spec.name] as string[] | undefined) ?? [];
      list.push(value);
      flags[spec.name] = list;
    } else flags[spec.name] = value;
  }
  return { flags, positionals };
}

/** Renders the flag table of a command's help. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const head = `${s.short !== undefined ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? '<value>'}`}`;
    return [head, s.description] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([h, d]) => `  ${h.padEnd(width)}${d}`).join('\n');
}
