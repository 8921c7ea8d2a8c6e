/**
 * How a client command that starts an operation answers: with `--no-wait`, the accepted
 * operation; otherwise it waits for the operation to end (progress on stderr) and prints it.
 *
 * @module
 */
import type { OperationAccepted, OperationDescription } from '../protocol/operation.ts';
import { print, type ClientContext } from './client-command.ts';
import { waitForOperation } from './operation-waiter.ts';
import { keyValues } from './text-table.ts';

/** Waits for (or, with --no-wait, just reports) `accepted`; returns the exit code. */
export async function finishOperation(
  ctx: ClientContext,
  accepted: OperationAccepted,
): Promise<number> {
  if (ctx.flags['no-wait'] === true) {
    print(
      ctx,
      accepted,
      () =>
        `operation ${accepted.operationId} accepted (${accepted.application}: ${accepted.status}); ` +
        `eddy operations show ${accepted.operationId} follows it`,
    );
    return 0;
  }
  const timeout = ctx.flags['timeout'] as number | undefined;
  const op = await waitForOperation(ctx.client, accepted, {
    ...(timeout !== undefined && { timeoutMs: timeout * 1000 }),
  });
  print(ctx, op, () => '');
  return 0;
}

/** An operation as `key value` lines. */
export function describeOperation(op: OperationDescription): string {
  return keyValues([
    ['id', op.id],
    ['application', op.application],
    ['type', op.type],
    ['status', op.status],
    ['by', op.by],
    ['started', op.startedAt],
    ['ended', op.endedAt],
    ['version', op.version?.toString()],
    ['snapshot', op.snapshot],
    ['failure', op.failureReason],
  ]);
}
