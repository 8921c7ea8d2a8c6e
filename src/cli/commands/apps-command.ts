/**
 * `eddy apps …`: applications through the server's API (create, list, show, start, stop,
 * update, rollback, delete, logs, versions).
 *
 * @module
 */
import type {
  ApplicationConfig,
  ApplicationDescription,
  ApplicationVersion,
  StartApplicationRequest,
} from '../../protocol/application.ts';
import type { OperationAccepted } from '../../protocol/operation.ts';
import { CONFIG_FLAGS, configFromFlags, hasConfigFlags } from '../application-config-flags.ts';
import { usageError } from '../cli-error.ts';
import {
  groupHelp,
  print,
  runGroup,
  WAIT_FLAGS,
  type ClientContext,
  type CommandGroup,
} from '../client-command.ts';
import { finishOperation } from '../operation-output.ts';
import { formatSize, keyValues, textTable } from '../text-table.ts';

const path = (name: string, rest = '') => `/v1/applications/${encodeURIComponent(name)}${rest}`;

const restoreFlag = {
  name: 'restore',
  type: 'string',
  placeholder: '<latest|skip|snapshot-id>',
  description:
    'start from the latest snapshot (default), from no state, or from the snapshot named',
} as const;

/** Where `--restore` says a start takes its state from. */
export function restoreOf(
  value: string | undefined,
  allowNonRestored: boolean,
): StartApplicationRequest {
  const allow = allowNonRestored ? { allowNonRestoredState: true } : {};
  if (value === undefined || value === 'latest')
    return { restore: { mode: 'RESTORE_FROM_LATEST_SNAPSHOT', ...allow } };
  if (value === 'skip') return { restore: { mode: 'SKIP_RESTORE', ...allow } };
  return { restore: { mode: 'RESTORE_FROM_CUSTOM_SNAPSHOT', snapshot: value, ...allow } };
}

const accept = (ctx: ClientContext, method: string, rest: string, body?: unknown) =>
  ctx.client
    .json<OperationAccepted>(method, path(ctx.args['name']!, rest), body)
    .then((a) => finishOperation(ctx, a));

/** `eddy apps` and its subcommands. */
export const appsGroup: CommandGroup = {
  name: 'apps',
  summary: 'create, run, update and roll back applications',
  commands: {
    create: {
      summary: 'create an application from an uploaded artifact (READY, not started)',
      args: ['name'],
      flags: [
        {
          name: 'artifact',
          type: 'string',
          placeholder: '<id>',
          description: 'the artifact (eddy artifacts upload prints its id)',
        },
        ...CONFIG_FLAGS,
      ],
      details: `Example:
  eddy apps create bots --artifact art-0123 --units 0.5 --prop source.rate=500`,
      run: async (ctx) => {
        const artifactId = ctx.flags['artifact'] as string | undefined;
        if (artifactId === undefined) {
          throw usageError(
            'eddy apps create needs --artifact <id>',
            'eddy artifacts list shows the uploaded artifacts',
          );
        }
        const app = await ctx.client.json<ApplicationDescription>('POST', '/v1/applications', {
          name: ctx.args['name'],
          artifactId,
          config: configFromFlags(ctx.flags),
        });
        print(ctx, app, () => describeApplication(app));
        return 0;
      },
    },
    list: {
      summary: 'list the applications',
      run: async (ctx) => {
        const apps = await ctx.client.get<ApplicationDescription[]>('/v1/applications');
        print(ctx, apps, () =>
          apps.length === 0
            ? 'no applications (eddy deploy job.ts --name NAME creates one)'
            : textTable(
                ['NAME', 'STATUS', 'VERSION', 'UNITS', 'PARALLELISM', 'UPDATED'],
                apps.map((a) => [
                  a.name,
                  a.status,
                  String(a.version),
                  String(a.resources.units),
                  String(a.resources.parallelism),
                  a.updatedAt,
                ]),
              ),
        );
        return 0;
      },
    },
    show: {
      summary: 'describe an application: status, version, resources, job, last failure, usage',
      args: ['name'],
      run: async (ctx) => {
        const app = await ctx.client.get<ApplicationDescription>(path(ctx.args['name']!));
        print(ctx, app, () => describeApplication(app));
        return 0;
      },
    },
    start: {
      summary: 'start an application (from its latest snapshot unless told otherwise)',
      args: ['name'],
      flags: [
        restoreFlag,
        {
          name: 'allow-non-restored-state',
          type: 'boolean',
          description: 'start even if the snapshot holds state no operator of the job takes',
        },
        ...WAIT_FLAGS,
      ],
      run: (ctx) =>
        accept(
          ctx,
          'POST',
          '/start',
          restoreOf(
            ctx.flags['restore'] as string | undefined,
            ctx.flags['allow-non-restored-state'] === true,
          ),
        ),
    },
    stop: {
      summary: 'stop an application, with a snapshot unless told otherwise',
      args: ['name'],
      flags: [
        { name: 'no-snapshot', type: 'boolean', description: 'stop without taking a snapshot' },
        {
          name: 'force',
          type: 'boolean',
          description: 'kill the job now (no snapshot; also ends a start or update that hangs)',
        },
        ...WAIT_FLAGS,
      ],
      run: (ctx) =>
        accept(ctx, 'POST', '/stop', {
          ...(ctx.flags['no-snapshot'] === true && { snapshot: false }),
          ...(ctx.flags['force'] === true && { force: true }),
        }),
    },
    update: {
      summary:
        'make a new version (artifact and/or config); a running one moves to it via a snapshot',
      args: ['name'],
      flags: [
        {
          name: 'artifact',
          type: 'string',
          placeholder: '<id>',
          description: 'the new artifact (default: the current one)',
        },
        ...CONFIG_FLAGS,
        ...WAIT_FLAGS,
      ],
      details: `The configuration flags change the current configuration (--config replaces it). If the
new version does not reach RUNNING, the server rolls back to the previous one by itself.

Example:
  eddy apps update bots --prop source.rate=300`,
      run: async (ctx) => {
        const artifactId = ctx.flags['artifact'] as string | undefined;
        if (artifactId === undefined && !hasConfigFlags(ctx.flags)) {
          throw usageError(
            'eddy apps update needs --artifact or a configuration flag',
            'eddy apps update --help lists them',
          );
        }
        const body: { artifactId?: string; config?: ApplicationConfig } = {};
        if (artifactId !== undefined) body.artifactId = artifactId;
        if (hasConfigFlags(ctx.flags)) {
          const current = await ctx.client.get<ApplicationDescription>(path(ctx.args['name']!));
          body.config = configFromFlags(ctx.flags, current.config);
        }
        return accept(ctx, 'PATCH', '', body);
      },
    },
    rollback: {
      summary: 'go back one version, from its newest snapshot',
      args: ['name'],
      flags: WAIT_FLAGS,
      run: (ctx) => accept(ctx, 'POST', '/rollback'),
    },
    delete: {
      summary: 'delete a stopped application with its snapshots and files',
      args: ['name'],
      flags: WAIT_FLAGS,
      run: (ctx) => accept(ctx, 'DELETE', ''),
    },
    logs: {
      summary: "print the end of an application's log; --follow streams new lines",
      args: ['name'],
      flags: [
        {
          name: 'tail',
          type: 'number',
          placeholder: '<lines>',
          description: 'lines from the end (default 200; 10 with --follow)',
        },
        {
          name: 'follow',
          short: 'f',
          type: 'boolean',
          description: 'go on printing new lines until Ctrl-C',
        },
      ],
      run: (ctx) => logs(ctx),
    },
    versions: {
      summary: 'list the versions of an application with their configurations',
      args: ['name'],
      run: async (ctx) => {
        const versions = await ctx.client.get<ApplicationVersion[]>(
          path(ctx.args['name']!, '/versions'),
        );
        print(ctx, versions, () =>
          textTable(
            ['VERSION', 'ARTIFACT', 'CREATED', 'CONFIG'],
            versions.map((v) => [
              String(v.version),
              v.artifactId,
              v.createdAt,
              JSON.stringify(v.config),
            ]),
          ),
        );
        return 0;
      },
    },
  },
};

async function logs(ctx: ClientContext): Promise<number> {
  const tail = ctx.flags['tail'] as number | undefined;
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0 || tail > 99_999)) {
    throw usageError(`--tail takes a whole number from 0 to 99999 (got ${tail})`);
  }
  const query = tail === undefined ? '' : `tail=${tail}`;
  const name = ctx.args['name']!;
  if (ctx.flags['follow'] !== true) {
    const text = await ctx.client.text(path(name, `/logs${query === '' ? '' : `?${query}`}`));
    if (ctx.json) console.log(JSON.stringify(text.split('\n').slice(0, -1), null, 2));
    else process.stdout.write(text);
    return 0;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await ctx.client.events(
      path(name, `/logs?follow=true${query === '' ? '' : `&${query}`}`),
      (line) => {
        process.stdout.write(ctx.json ? `${JSON.stringify({ line })}\n` : `${line}\n`);
      },
      abort.signal,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

/** An application as `key value` lines. */
export function describeApplication(a: ApplicationDescription): string {
  const r = a.resources;
  const u = a.usage;
  return keyValues([
    ['name', a.name],
    ['status', a.status],
    ['version', `${a.version} (artifact ${a.artifactId})`],
    [
      'resources',
      `${r.units} units, parallelism ${r.parallelism}, ${r.memoryMb} MiB (heap ${r.heapMb} MiB)`,
    ],
    ['session', a.session],
    [
      'job',
      a.job &&
        `${a.job.status} since ${a.job.startedAt}` +
          (a.job.restoredFrom === undefined ? '' : `, restored from ${a.job.restoredFrom}`) +
          `, ${a.job.restarts} restarts` +
          (a.job.pid === undefined ? '' : `, pid ${a.job.pid}`),
    ],
    [
      'usage',
      `cpu ${u.cpuSeconds.toFixed(1)} s, rss ${formatSize(u.rssBytes)} (peak ${formatSize(u.peakRssBytes)}), ${u.recordsPerSecond.toFixed(0)} records/s`,
    ],
    [
      'last failure',
      a.lastFailure && `${a.lastFailure.kind} at ${a.lastFailure.at}: ${a.lastFailure.reason}`,
    ],
    ['config', JSON.stringify(a.config)],
    ['created', a.createdAt],
    ['updated', a.updatedAt],
  ]);
}

/** Help of `eddy apps`. */
export const appsHelp = groupHelp(appsGroup);

/** `eddy apps`. */
export function appsCommand(argv: readonly string[]): Promise<number> {
  return runGroup(appsGroup, argv);
}
