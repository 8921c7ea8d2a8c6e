/**
 * `eddy snapshots …`: take, list, show and delete snapshots (savepoints) of an application.
 *
 * @module
 */
import type { OperationAccepted } from '../../protocol/operation.ts';
import type { SnapshotDescription } from '../../protocol/snapshot.ts';
import { groupHelp, print, runGroup, WAIT_FLAGS, type CommandGroup } from '../client-command.ts';
import { finishOperation } from '../operation-output.ts';
import { formatSize, keyValues, textTable } from '../text-table.ts';

const path = (app: string, rest = '') =>
  `/v1/applications/${encodeURIComponent(app)}/snapshots${rest}`;

/** `eddy snapshots` and its subcommands. */
export const snapshotsGroup: CommandGroup = {
  name: 'snapshots',
  summary: 'take and manage snapshots (savepoints) of applications',
  commands: {
    create: {
      summary: 'snapshot a running application without stopping it',
      args: ['app'],
      flags: WAIT_FLAGS,
      run: async (ctx) => {
        const accepted = await ctx.client.json<OperationAccepted>(
          'POST',
          path(ctx.args['app']!),
          {},
        );
        return finishOperation(ctx, accepted);
      },
    },
    list: {
      summary: "list an application's snapshots, newest first",
      args: ['app'],
      run: async (ctx) => {
        const all = await ctx.client.get<SnapshotDescription[]>(path(ctx.args['app']!));
        print(ctx, all, () =>
          all.length === 0
            ? `no snapshots of ${ctx.args['app']}`
            : textTable(
                ['ID', 'STATUS', 'VERSION', 'SIZE', 'BY', 'CREATED'],
                all.map((s) => [
                  s.id,
                  s.status,
                  String(s.version),
                  s.sizeBytes === undefined ? '-' : formatSize(s.sizeBytes),
                  s.system ? 'system' : 'user',
                  s.createdAt,
                ]),
              ),
        );
        return 0;
      },
    },
    show: {
      summary: 'describe one snapshot',
      args: ['app', 'id'],
      run: async (ctx) => {
        const s = await ctx.client.get<SnapshotDescription>(
          path(ctx.args['app']!, `/${encodeURIComponent(ctx.args['id']!)}`),
        );
        print(ctx, s, () =>
          keyValues([
            ['id', s.id],
            ['application', s.application],
            ['status', s.status],
            ['version', String(s.version)],
            ['size', s.sizeBytes === undefined ? undefined : formatSize(s.sizeBytes)],
            ['taken by', s.system ? 'the server (stop or update)' : 'a user'],
            ['created', s.createdAt],
            ['failure', s.failureReason],
          ]),
        );
        return 0;
      },
    },
    delete: {
      summary: 'delete one snapshot',
      args: ['app', 'id'],
      run: async (ctx) => {
        await ctx.client.json(
          'DELETE',
          path(ctx.args['app']!, `/${encodeURIComponent(ctx.args['id']!)}`),
        );
        print(ctx, { deleted: ctx.args['id'] }, () => `deleted ${ctx.args['id']}`);
        return 0;
      },
    },
  },
};

/** Help of `eddy snapshots`. */
export const snapshotsHelp = groupHelp(snapshotsGroup);

/** `eddy snapshots`. */
export function snapshotsCommand(argv: readonly string[]): Promise<number> {
  return runGroup(snapshotsGroup, argv);
}
