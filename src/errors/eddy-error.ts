/**
 * The one error type of Eddy.
 *
 * Every failure that reaches a user carries a stable `code`, a `domain` that says whose problem it
 * is (`user`: change your job or your input; `external`: a broker, a disk or a network failed;
 * `internal`: a bug in Eddy), whether retrying can help, and the original `cause`.
 *
 * @module
 */

/** Whose problem an error is; the server maps domains to HTTP statuses in one place. */
export type ErrorDomain = 'user' | 'external' | 'internal';

/** Stable machine-readable error codes. Add new codes here, never reuse a code for a new meaning. */
export type EddyErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_JOB'
  | 'NO_SINK'
  | 'DUPLICATE_UID'
  | 'NOT_KEYED'
  | 'UNKNOWN_SIDE_OUTPUT'
  | 'USER_FUNCTION_FAILED'
  | 'SOURCE_FAILED'
  | 'SINK_FAILED'
  | 'MALFORMED_RECORD'
  | 'JOB_CANCELLED'
  | 'JOB_FILE_NOT_FOUND'
  | 'JOB_BUILD_FAILED'
  | 'CLI_USAGE'
  | 'NOT_SERIALIZABLE'
  | 'STATE_ERROR'
  | 'CHECKPOINT_FAILED'
  | 'RESTORE_FAILED'
  | 'IO_ERROR'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'INTERNAL';

/** Where an operator was defined, so errors can point at user code. */
export interface OperatorRef {
  /** The operator's display name. */
  readonly name: string;
  /** The operator's stable uid, if the user set one. */
  readonly uid?: string | undefined;
  /** `file:line:column` of the user's call that created the operator, when known. */
  readonly definedAt?: string | undefined;
  /** The parallel subtask that failed, when known (exception history). */
  readonly subtask?: number | undefined;
}

/** Options accepted by the {@link EddyError} constructor. */
export interface EddyErrorOptions {
  readonly code: EddyErrorCode;
  readonly domain: ErrorDomain;
  readonly retryable?: boolean;
  readonly cause?: unknown;
  readonly operator?: OperatorRef | undefined;
  /** What the user should do about it; printed after the message. */
  readonly hint?: string | undefined;
}

/**
 * The error thrown by every part of Eddy.
 *
 * @example
 * ```ts
 * try {
 *   await env.execute();
 * } catch (e) {
 *   if (e instanceof EddyError && e.code === 'USER_FUNCTION_FAILED') console.error(e.operator?.name);
 * }
 * ```
 */
export class EddyError extends Error {
  /** Stable machine-readable code. */
  readonly code: EddyErrorCode;
  /** Whose problem this is. */
  readonly domain: ErrorDomain;
  /** Whether the same action may succeed if retried. */
  readonly retryable: boolean;
  /** The operator involved, if any. */
  readonly operator: OperatorRef | undefined;
  /** What to change, in one sentence. */
  readonly hint: string | undefined;

  constructor(message: string, options: EddyErrorOptions) {
    super(
      formatMessage(message, options),
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = 'EddyError';
    this.code = options.code;
    this.domain = options.domain;
    this.retryable = options.retryable ?? false;
    this.operator = options.operator;
    this.hint = options.hint;
  }
}

function formatMessage(message: string, options: EddyErrorOptions): string {
  let text = message;
  const op = options.operator;
  if (op !== undefined) {
    const uid = op.uid !== undefined ? ` (uid "${op.uid}")` : '';
    const at = op.definedAt !== undefined ? `, defined at ${op.definedAt}` : '';
    text = `operator "${op.name}"${uid}${at}: ${text}`;
  }
  if (options.hint !== undefined) text += `\n  hint: ${options.hint}`;
  return text;
}

/** Shorthand for a user error (bad job definition, bad argument, bad input). */
export function userError(
  code: EddyErrorCode,
  message: string,
  extra: Omit<EddyErrorOptions, 'code' | 'domain'> = {},
): EddyError {
  return new EddyError(message, { ...extra, code, domain: 'user' });
}

/** Normalizes anything thrown into an {@link EddyError}, keeping EddyErrors as they are. */
export function toEddyError(
  e: unknown,
  code: EddyErrorCode = 'INTERNAL',
  domain: ErrorDomain = 'internal',
): EddyError {
  if (e instanceof EddyError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new EddyError(message, { code, domain, cause: e });
}
