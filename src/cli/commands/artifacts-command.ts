/**
 * `eddy artifacts …`: upload, list, show and delete application artifacts on the server.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { ArtifactDescription } from '../../protocol/artifact.ts';
import type { ApiClient } from '../api-client.ts';
import { usageError } from '../cli-error.ts';
import { groupHelp, print, runGroup, type CommandGroup } from '../client-command.ts';
import { formatSize, keyValues, textTable } from '../text-table.ts';

const path = (id: string) => `/v1/artifacts/${encodeURIComponent(id)}`;

/** `eddy artifacts` and its subcommands. */
export const artifactsGroup: CommandGroup = {
  name: 'artifacts',
  summary: 'upload and manage application artifacts (app.eddy files)',
  commands: {
    upload: {
      summary: 'upload an artifact (made by eddy package); prints its id',
      args: ['file'],
      details: `Uploading the same bytes twice answers the first upload's artifact.

Example:
  eddy package examples/bot-tagging.ts -o bots.eddy && eddy artifacts upload bots.eddy`,
      run: async (ctx) => {
        const file = ctx.args['file']!;
        const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
          throw usageError(
            `cannot read ${file} (${e.code ?? e.message})`,
            'eddy package job.ts -o app.eddy makes an artifact',
          );
        });
        const artifact = await uploadArtifact(ctx.client, new Uint8Array(bytes));
        print(ctx, artifact, () => describeArtifact(artifact));
        return 0;
      },
    },
    list: {
      summary: 'list the uploaded artifacts',
      run: async (ctx) => {
        const all = await ctx.client.get<ArtifactDescription[]>('/v1/artifacts');
        print(ctx, all, () =>
          all.length === 0
            ? 'no artifacts (eddy artifacts upload app.eddy uploads one)'
            : textTable(
                ['ID', 'NAME', 'SIZE', 'SHA256', 'UPLOADED'],
                all.map((a) => [
                  a.id,
                  a.manifest.name,
                  formatSize(a.size),
                  a.sha256.slice(0, 12),
                  a.uploadedAt,
                ]),
              ),
        );
        return 0;
      },
    },
    show: {
      summary: 'describe an artifact and its manifest',
      args: ['id'],
      run: async (ctx) => {
        const a = await ctx.client.get<ArtifactDescription>(path(ctx.args['id']!));
        print(ctx, a, () => describeArtifact(a));
        return 0;
      },
    },
    delete: {
      summary: 'delete an artifact no application version uses',
      args: ['id'],
      run: async (ctx) => {
        await ctx.client.json('DELETE', path(ctx.args['id']!));
        print(ctx, { deleted: ctx.args['id'] }, () => `deleted ${ctx.args['id']}`);
        return 0;
      },
    },
  },
};

/** Uploads artifact bytes. */
export function uploadArtifact(client: ApiClient, bytes: Uint8Array): Promise<ArtifactDescription> {
  return client.upload<ArtifactDescription>('/v1/artifacts', bytes);
}

function describeArtifact(a: ArtifactDescription): string {
  return keyValues([
    ['id', a.id],
    ['name', a.manifest.name],
    ['entry', a.manifest.entry],
    ['eddy', a.manifest.eddyVersion],
    ['size', formatSize(a.size)],
    ['sha256', a.sha256],
    ['uploaded', a.uploadedAt],
  ]);
}

/** Help of `eddy artifacts`. */
export const artifactsHelp = groupHelp(artifactsGroup);

/** `eddy artifacts`. */
export function artifactsCommand(argv: readonly string[]): Promise<number> {
  return runGroup(artifactsGroup, argv);
}
