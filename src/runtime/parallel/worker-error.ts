/**
 * Failures crossing from a worker thread to the coordinator as plain data, and back into an
 * {@link EddyError} with the same code, operator, hint, message and stack.
 *
 * @module
 */
import {
  EddyError,
  toEddyError,
  type EddyErrorCode,
  type ErrorDomain,
  type OperatorRef,
} from '../../errors/eddy-error.ts';

/** An EddyError as plain data. */
export interface WorkerError {
  readonly message: string;
  readonly code: EddyErrorCode;
  readonly domain: ErrorDomain;
  readonly retryable: boolean;
  readonly operator: OperatorRef | undefined;
  readonly hint: string | undefined;
  readonly stack: string | undefined;
  readonly cause: { readonly message: string; readonly stack: string | undefined } | undefined;
}

/** Flattens anything thrown into a {@link WorkerError}. */
export function toWorkerError(e: unknown): WorkerError {
  const err = toEddyError(e);
  const cause = err.cause;
  return {
    message: err.message,
    code: err.code,
    domain: err.domain,
    retryable: err.retryable,
    operator:
      err.operator === undefined
        ? undefined
        : { name: err.operator.name, uid: err.operator.uid, definedAt: err.operator.definedAt },
    hint: err.hint,
    stack: err.stack,
    cause:
      cause instanceof Error
        ? { message: cause.message, stack: cause.stack }
        : cause === undefined
          ? undefined
          : { message: String(cause), stack: undefined },
  };
}

/** Rebuilds the EddyError a worker reported (its message is already formatted). */
export function fromWorkerError(w: WorkerError, slot: number): EddyError {
  let cause: Error | undefined;
  if (w.cause !== undefined) {
    cause = new Error(w.cause.message);
    if (w.cause.stack !== undefined) cause.stack = w.cause.stack;
  }
  const e = new EddyError('', {
    code: w.code,
    domain: w.domain,
    retryable: w.retryable,
    operator: w.operator,
    hint: w.hint,
    ...(cause !== undefined ? { cause } : {}),
  });
  e.message = w.message;
  e.stack = `${w.stack ?? w.message}\n    (in worker thread of slot ${slot})`;
  return e;
}
