/**
 * `eddy operations …`: the operations (start, stop, update, rollback …) of an application, as
 * the managed service's ListApplicationOperations shows them.
 *
 * @module
 */
import type { OperationDescription } from '../../protocol/operation.ts';
import { groupHelp, print, runGroup, type CommandGroup } from '../client-command.ts';
import { describeOperation } from '../operation-output.ts';
import { textTable } from '../text-table.ts';

/** `eddy operations` and its subcommands. */
export const operationsGroup: CommandGroup = {
  name: 'operations',
  summary: 'see what was done to applications, by whom, and how it ended',
  commands: {
    list: {
      summary: "list an application's operations, newest first",
      args: ['app'],
      run: async (ctx) => {
        const all = await ctx.client.get<OperationDescription[]>(
          `/v1/applications/${encodeURIComponent(ctx.args['app']!)}/operations`,
        );
        print(ctx, all, () =>
          textTable(
            ['ID', 'TYPE', 'STATUS', 'VERSION', 'BY', 'STARTED', 'FAILURE'],
            all.map((o) => [
              o.id,
              o.type,
              o.status,
              o.version?.toString() ?? '-',
              o.by,
              o.startedAt,
              o.failureReason ?? '',
            ]),
          ),
        );
        return 0;
      },
    },
    show: {
      summary: 'describe one operation',
      args: ['id'],
      run: async (ctx) => {
        const op = await ctx.client.get<OperationDescription>(
          `/v1/operations/${encodeURIComponent(ctx.args['id']!)}`,
        );
        print(ctx, op, () => describeOperation(op));
        return 0;
      },
    },
  },
};

/** Help of `eddy operations`. */
export const operationsHelp = groupHelp(operationsGroup);

/** `eddy operations`. */
export function operationsCommand(argv: readonly string[]): Promise<number> {
  return runGroup(operationsGroup, argv);
}
