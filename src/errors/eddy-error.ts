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
  | 'INVALID_KEY'
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
  /**
   * A subtask cannot take this checkpoint now (a sink's transaction pool is busy committing):
   * the checkpoint is skipped, the next one will do, and it does not count towards
   * `tolerableCheckpointFailures` (as Flink's pre-flight declines do not).
   */
  | 'CHECKPOINT_DECLINED'
  | 'RESTORE_FAILED'
  | 'CHECKPOINT_DIR_LOCKED'
  | 'IO_ERROR'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'OUT_OF_MEMORY'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'OVERCOMMITTED'
  | 'TOO_LARGE'
  | 'BAD_REQUEST'
  | 'INVALID_ARTIFACT'
  | 'MISSING_DEPENDENCY'
  /** The server cannot take the request yet (starting, recovering): retry after a while. */
  | 'UNAVAILABLE'
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

/**
 * The record a user function failed on, as far as it is known: its key (keyed streams), event
 * timestamp, and position in the source (`file:line`, `topic-partition@offset`).
 */
export interface RecordRef {
  readonly key?: unknown;
  readonly timestamp?: number;
  readonly position?: string;
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
  /** The record being processed when a user function failed. */
  readonly record?: RecordRef | undefined;
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
  /** The record a user function failed on, when known. */
  get record(): RecordRef | undefined {
    return this.options.record;
  }
  private options: EddyErrorOptions;
  private readonly text: string;

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
    this.text = message;
    this.options = options;
    // Not enumerable: the error prints and serializes as its public fields.
    Object.defineProperty(this, 'options', { enumerable: false });
    Object.defineProperty(this, 'text', { enumerable: false });
  }

  /**
   * Adds what is known about the failing record (fields already known are kept) and returns
   * this error, its message updated. For the runtime, which learns the record's parts in
   * different places (the operator knows the key, the source the position).
   */
  addRecord(record: RecordRef): this {
    const merged = { ...record, ...this.options.record };
    this.options = { ...this.options, record: merged };
    this.message = formatMessage(this.text, this.options);
    if (this.stack !== undefined) {
      const at = this.stack.indexOf('\n    at ');
      this.stack = `${this.name}: ${this.message}${at < 0 ? '' : this.stack.slice(at)}`;
    }
    return this;
  }
}

/** Up to 200 characters of a key, as it would be written in code. */
function describeKey(key: unknown): string {
  let text: string;
  try {
    text =
      typeof key === 'string'
        ? JSON.stringify(key)
        : typeof key === 'bigint'
          ? `${key}n`
          : typeof key === 'object' && key !== null
            ? (JSON.stringify(key) ?? String(key))
            : String(key);
  } catch {
    text = Object.prototype.toString.call(key);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function describeRecord(r: RecordRef): string {
  const parts: string[] = [];
  if ('key' in r) parts.push(`key ${describeKey(r.key)}`);
  const t = r.timestamp;
  if (t !== undefined && !Number.isNaN(t)) {
    const iso =
      Number.isFinite(t) && Math.abs(t) < 8.64e15 ? ` (${new Date(t).toISOString()})` : '';
    parts.push(`timestamp ${t}${iso}`);
  }
  if (r.position !== undefined) parts.push(`at ${r.position}`);
  return parts.join(', ');
}

function formatMessage(message: string, options: EddyErrorOptions): string {
  let text = message;
  const op = options.operator;
  if (op !== undefined) {
    const uid = op.uid !== undefined ? ` (uid "${op.uid}")` : '';
    const at = op.definedAt !== undefined ? `, defined at ${op.definedAt}` : '';
    text = `operator "${op.name}"${uid}${at}: ${text}`;
  }
  const record = options.record === undefined ? '' : describeRecord(options.record);
  if (record !== '') text += `\n  record: ${record}`;
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
