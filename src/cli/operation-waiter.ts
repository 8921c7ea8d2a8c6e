/**
 * Waits for a control-plane operation to end, as the CLI does after `eddy apps start` and the
 * like: it polls `GET /v1/operations/{id}`, prints the application's status changes on stderr,
 * and turns a FAILED operation into an error carrying its reason.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';
import type { ApplicationDescription } from '../protocol/application.ts';
import type { OperationAccepted, OperationDescription } from '../protocol/operation.ts';
import type { ApiClient } from './api-client.ts';

/** How to wait. */
export interface WaitOptions {
  /** Give up after this long (default 600 s). */
  readonly timeoutMs?: number;
  /** Print nothing on stderr. */
  readonly quiet?: boolean;
  /** Poll period (default 300 ms). */
  readonly intervalMs?: number;
}

/** The operation once it ended SUCCESSFUL; throws naming its failure otherwise. */
export async function waitForOperation(
  client: ApiClient,
  accepted: OperationAccepted,
  options: WaitOptions = {},
): Promise<OperationDescription> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 600_000);
  const say = (text: string) => {
    if (options.quiet !== true) process.stderr.write(`eddy: ${text}\n`);
  };
  let lastStatus = accepted.status;
  say(`${accepted.application}: ${lastStatus} (operation ${accepted.operationId})`);
  for (;;) {
    const op = await client.get<OperationDescription>(`/v1/operations/${accepted.operationId}`);
    if (op.status !== 'IN_PROGRESS') {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (op.status === 'FAILED') {
        throw new EddyError(
          `${op.type} of ${op.application} failed after ${seconds} s: ${op.failureReason ?? 'no reason given'}`,
          {
            code: 'CONFLICT',
            domain: 'user',
            hint: `eddy apps logs ${op.application} shows its log; eddy operations show ${op.id} the operation`,
          },
        );
      }
      const app = await client.find<ApplicationDescription>(
        `/v1/applications/${encodeURIComponent(op.application)}`,
      );
      say(
        `${op.type} of ${op.application} SUCCESSFUL in ${seconds} s` +
          (app === undefined ? '' : `: ${app.status}, version ${app.version}`),
      );
      return op;
    }
    const app = await client.find<ApplicationDescription>(
      `/v1/applications/${encodeURIComponent(op.application)}`,
    );
    if (app !== undefined && app.status !== lastStatus) {
      lastStatus = app.status;
      say(`${op.application}: ${app.status}`);
    }
    if (Date.now() > deadline) {
      throw new EddyError(
        `operation ${op.id} (${op.type} of ${op.application}) still runs after ${Math.round((Date.now() - started) / 1000)} s`,
        {
          code: 'TIMEOUT',
          domain: 'user',
          retryable: true,
          hint: `it goes on in the server: eddy operations show ${op.id}`,
        },
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 300));
  }
}
