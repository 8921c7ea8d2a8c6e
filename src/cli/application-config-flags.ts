/**
 * The flags that set an application's configuration (`eddy apps create|update`, `eddy deploy`):
 * a whole configuration as JSON (`--config`), and the settings changed most often on their own.
 * The server checks the result against its schema and names any bad field.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ApplicationConfig } from '../protocol/application.ts';
import { usageError } from './cli-error.ts';
import type { FlagSpec, ParsedArgs } from './parse-flags.ts';

/** The configuration flags. */
export const CONFIG_FLAGS: readonly FlagSpec[] = [
  {
    name: 'config',
    type: 'string',
    placeholder: '<file.json|json>',
    description: 'the whole configuration (docs/guides/platform.md lists every setting)',
  },
  {
    name: 'prop',
    type: 'list',
    placeholder: '<group.key=value>',
    description: 'a runtime property (properties.group.key); repeatable',
  },
  {
    name: 'parallelism',
    short: 'p',
    type: 'number',
    placeholder: '<n>',
    description: 'the job parallelism',
  },
  {
    name: 'units',
    type: 'number',
    placeholder: '<n>',
    description: 'resource units (1 unit = 1 core + 4 GiB by default; 0.125 steps)',
  },
  {
    name: 'session',
    type: 'string',
    placeholder: '<name>',
    description: 'run in this shared session process instead of a process of its own',
  },
];

/** Whether any configuration flag was given. */
export function hasConfigFlags(flags: ParsedArgs['flags']): boolean {
  return CONFIG_FLAGS.some((f) => flags[f.name] !== undefined);
}

/**
 * The configuration the flags describe: `--config` replaces `base`, then each single-setting
 * flag changes its setting (so `eddy apps update x --prop a.b=c` keeps the rest of x's config).
 */
export function configFromFlags(
  flags: ParsedArgs['flags'],
  base: ApplicationConfig = {},
): ApplicationConfig {
  let config: ApplicationConfig = structuredClone(base);
  const raw = flags['config'] as string | undefined;
  if (raw !== undefined) config = parseConfig(raw);
  for (const p of (flags['prop'] as readonly string[] | undefined) ?? []) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(p);
    if (m === null) {
      throw usageError(
        `--prop takes group.key=value (got "${p}")`,
        'for example --prop source.rate=500',
      );
    }
    const properties = { ...config.properties };
    properties[m[1]!] = { ...properties[m[1]!], [m[2]!]: m[3]! };
    config = { ...config, properties };
  }
  const parallelism = flags['parallelism'] as number | undefined;
  if (parallelism !== undefined) config = { ...config, parallelism };
  const units = flags['units'] as number | undefined;
  if (units !== undefined) config = { ...config, resources: { ...config.resources, units } };
  const session = flags['session'] as string | undefined;
  if (session !== undefined) config = { ...config, session };
  return config;
}

function parseConfig(raw: string): ApplicationConfig {
  const fromFile = !raw.trimStart().startsWith('{') && existsSync(raw);
  if (!fromFile && !raw.trimStart().startsWith('{')) {
    throw usageError(
      `--config ${raw}: no such file`,
      'give a JSON file or inline JSON, e.g. --config \'{"parallelism":2}\'',
    );
  }
  const text = fromFile ? readFileSync(raw, 'utf8') : raw;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(
      `--config ${fromFile ? raw : ''} is not valid JSON: ${(e as Error).message}`.replace(
        '  ',
        ' ',
      ),
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError('--config must be a JSON object', 'for example {"parallelism": 2}');
  }
  return value as ApplicationConfig;
}
