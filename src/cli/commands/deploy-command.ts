/**
 * `eddy deploy <job.ts|app.eddy> --name N`: the whole path to a running application in one
 * command — package the job if needed, upload it, create the application or update it to a new
 * version, start it, and wait until it runs.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { ApplicationDescription } from '../../protocol/application.ts';
import type { ArtifactDescription } from '../../protocol/artifact.ts';
import type { OperationAccepted } from '../../protocol/operation.ts';
import { CONFIG_FLAGS, configFromFlags, hasConfigFlags } from '../application-config-flags.ts';
import { usageError } from '../cli-error.ts';
import {
  commandHelp,
  print,
  runClientCommand,
  WAIT_FLAGS,
  type ClientCommand,
  type ClientContext,
} from '../client-command.ts';
import { resolveJobFile } from '../load-job.ts';
import { waitForOperation } from '../operation-waiter.ts';
import { describeApplication, restoreOf } from './apps-command.ts';
import { uploadArtifact } from './artifacts-command.ts';

const deploySpec: ClientCommand = {
  summary: 'package, upload, create or update, and start an application; wait until it runs',
  args: ['file'],
  flags: [
    {
      name: 'name',
      short: 'n',
      type: 'string',
      placeholder: '<name>',
      description: 'the application (lowercase letters, digits, dashes); required',
    },
    ...CONFIG_FLAGS,
    {
      name: 'restore',
      type: 'string',
      placeholder: '<latest|skip|snapshot-id>',
      description: 'where a stopped application starts from (default latest)',
    },
    ...WAIT_FLAGS,
  ],
  details: `<file> is a job file (packaged first, as eddy package does) or an app.eddy artifact.
A new application is created and started. An existing one gets a new version: if it runs, the
server snapshots it, stops it and starts the new version from the snapshot (rolling back by
itself if the new version does not reach RUNNING); if it is stopped, it is started. The
configuration flags change the application's current configuration (--config replaces it).
Progress goes to stderr; with --json the application is printed as JSON at the end.

Examples:
  eddy deploy examples/bot-tagging.ts --name bots --prop source.events=0 --units 0.5
  eddy deploy dist/bots.eddy --name bots --prop source.rate=500`,
  run: deploy,
};

async function deploy(ctx: ClientContext): Promise<number> {
  const name = ctx.flags['name'] as string | undefined;
  if (name === undefined) {
    throw usageError(
      'eddy deploy needs --name <name>',
      'for example eddy deploy job.ts --name clicks',
    );
  }
  const say = (text: string) => process.stderr.write(`eddy: ${text}\n`);
  const bytes = await artifactBytes(ctx.args['file']!, ctx.flags, say);
  const artifact = await uploadArtifact(ctx.client, bytes);
  say(`uploaded ${artifact.manifest.name} as ${artifact.id}`);
  const timeout = ctx.flags['timeout'] as number | undefined;
  const wait = (accepted: OperationAccepted) =>
    ctx.flags['no-wait'] === true
      ? Promise.resolve()
      : waitForOperation(ctx.client, accepted, {
          ...(timeout !== undefined && { timeoutMs: timeout * 1000 }),
        }).then(() => undefined);
  const restore = restoreOf(ctx.flags['restore'] as string | undefined, false);
  const app = `/v1/applications/${encodeURIComponent(name)}`;
  const current = await settled(ctx.client, app, say);
  if (current === undefined) {
    await ctx.client.json('POST', '/v1/applications', {
      name,
      artifactId: artifact.id,
      config: configFromFlags(ctx.flags),
    });
    say(`created application ${name}`);
    await wait(await ctx.client.json<OperationAccepted>('POST', `${app}/start`, restore));
  } else {
    const config = hasConfigFlags(ctx.flags)
      ? configFromFlags(ctx.flags, current.config)
      : current.config;
    const unchanged =
      JSON.stringify(config) === JSON.stringify(current.config) &&
      (await sameContents(ctx.client, current.artifactId, artifact));
    if (!unchanged) {
      await wait(
        await ctx.client.json<OperationAccepted>('PATCH', app, { artifactId: artifact.id, config }),
      );
    } else say(`${name} already has this artifact and configuration (version ${current.version})`);
    if (current.status !== 'RUNNING' || ctx.flags['no-wait'] === true) {
      const now = await ctx.client.get<ApplicationDescription>(app);
      if (now.status === 'READY' || now.status === 'FAILED') {
        await wait(await ctx.client.json<OperationAccepted>('POST', `${app}/start`, restore));
      }
    }
  }
  const final = await ctx.client.get<ApplicationDescription>(app);
  print(ctx, final, () => describeApplication(final));
  if (ctx.flags['no-wait'] !== true && final.status !== 'RUNNING') {
    // A bounded job may have finished already: started, ran, and stopped by itself.
    say(`${name} is ${final.status} (a bounded job stops when its input ends)`);
  }
  return 0;
}

async function artifactBytes(
  file: string,
  flags: ClientContext['flags'],
  say: (text: string) => void,
): Promise<Uint8Array> {
  if (file.endsWith('.eddy')) {
    return new Uint8Array(
      await readFile(file).catch((e: NodeJS.ErrnoException) => {
        throw usageError(`cannot read ${file} (${e.code ?? e.message})`);
      }),
    );
  }
  const jobFile = resolveJobFile(file);
  // Loaded only here: deploying an artifact needs no bundler.
  const { packageJobFile, formatBytes } = await import('./package-command.ts');
  const started = performance.now();
  const packaged = await packageJobFile(jobFile, flags);
  for (const w of packaged.warnings) process.stderr.write(`eddy: bundler warning:\n${w}\n`);
  say(
    `packaged ${relative(process.cwd(), jobFile)} (${formatBytes(packaged.bytes.length)}) in ` +
      `${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  return packaged.bytes;
}

const SETTLED = new Set(['READY', 'RUNNING', 'FAILED']);

/**
 * The application once it is READY, RUNNING or FAILED (not in the middle of an operation, such
 * as the recovery a restarted server runs), or undefined when it does not exist.
 */
async function settled(
  client: ClientContext['client'],
  path: string,
  say: (text: string) => void,
): Promise<ApplicationDescription | undefined> {
  let last = '';
  for (;;) {
    const app = await client.find<ApplicationDescription>(path);
    if (app === undefined || SETTLED.has(app.status)) return app;
    if (app.status !== last) say(`${app.name} is ${app.status}; waiting for it to settle`);
    last = app.status;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Whether `artifact` holds the same members as the artifact `id`: packaging the same job twice
 * gives different bytes (the manifest records when), but the same members.
 */
async function sameContents(
  client: ClientContext['client'],
  id: string,
  artifact: ArtifactDescription,
): Promise<boolean> {
  if (id === artifact.id) return true;
  const current = await client.find<ArtifactDescription>(`/v1/artifacts/${encodeURIComponent(id)}`);
  const members = (a: ArtifactDescription | undefined) =>
    JSON.stringify((a?.manifest as Record<string, unknown> | undefined)?.['members']);
  return current !== undefined && members(current) === members(artifact);
}

/** Help of `eddy deploy`. */
export const deployHelp = commandHelp('deploy', deploySpec);

/** `eddy deploy`. */
export function deployCommand(argv: readonly string[]): Promise<number> {
  return runClientCommand('deploy', deploySpec, argv);
}
