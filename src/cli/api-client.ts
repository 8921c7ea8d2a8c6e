/**
 * The CLI's client of the control-plane API (`eddy apps …`, `eddy deploy …`): JSON calls with the
 * bearer token, artifact uploads, and server-sent event streams. Every answer that is not a
 * success becomes an EddyError carrying the server's message and hint.
 *
 * @module
 */
import { EddyError, type EddyErrorCode } from '../errors/eddy-error.ts';
import type { ErrorBody } from '../protocol/common.ts';

/** The server the CLI talks to when neither --server nor EDDY_SERVER names one. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8081';

/** Codes the server answers with that the CLI keeps as they are. */
const KNOWN_CODES: ReadonlySet<string> = new Set<EddyErrorCode>([
  'NOT_FOUND',
  'CONFLICT',
  'OVERCOMMITTED',
  'BAD_REQUEST',
  'INVALID_ARGUMENT',
  'INVALID_ARTIFACT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TOO_LARGE',
  'TIMEOUT',
  'INTERNAL',
]);

/** Calls the control-plane API of one server with one token. */
export class ApiClient {
  /** The server's base URL, without a trailing slash. */
  readonly server: string;

  constructor(
    server: string,
    private readonly token: string | undefined,
  ) {
    this.server = server.replace(/\/+$/, '');
  }

  /** `GET path`, answered as JSON. */
  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  /** `GET path`, or undefined when the server answers 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof EddyError && e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  /** A JSON call; `body` is sent as JSON when given. Answers the parsed body (undefined when empty). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(
      method,
      path,
      body === undefined
        ? undefined
        : {
            type: 'application/json',
            payload: JSON.stringify(body),
          },
    );
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Uploads bytes as `application/octet-stream` (artifacts). */
  async upload<T>(path: string, bytes: Uint8Array): Promise<T> {
    const response = await this.fetch('POST', path, {
      type: 'application/octet-stream',
      payload: bytes,
    });
    return (await response.json()) as T;
  }

  /** `GET path`, answered as text. */
  async text(path: string): Promise<string> {
    return (await this.fetch('GET', path)).text();
  }

  /**
   * Reads the server-sent event stream at `path`, calling `onData` with each event's data, until
   * the server ends the stream or `signal` aborts it.
   */
  async events(path: string, onData: (data: string) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.fetch('GET', path, undefined, signal);
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = event
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5));
          if (data.length > 0) onData(data.join('\n'));
        }
      }
    } catch (e) {
      if (signal?.aborted === true) return;
      throw e;
    }
  }

  private async fetch(
    method: string,
    path: string,
    body?: { type: string; payload: string | Uint8Array },
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/*' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = body.type;
    let response: Response;
    try {
      response = await fetch(this.server + path, {
        method,
        headers,
        ...(body !== undefined && { body: body.payload }),
        ...(signal !== undefined && { signal }),
      });
    } catch (e) {
      if (signal?.aborted === true) throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new EddyError(
        `cannot reach the eddy server at ${this.server} (${cause?.code ?? cause?.message ?? String(e)})`,
        {
          code: 'IO_ERROR',
          domain: 'external',
          retryable: true,
          cause: e,
          hint: 'start one with "eddy server", or point --server (or EDDY_SERVER) at it',
        },
      );
    }
    if (!response.ok) throw await this.errorOf(method, path, response);
    return response;
  }

  private async errorOf(method: string, path: string, response: Response): Promise<EddyError> {
    const text = await response.text();
    let error: ErrorBody['error'] | undefined;
    try {
      error = (JSON.parse(text) as ErrorBody).error;
    } catch {
      error = undefined;
    }
    const code = error !== undefined && KNOWN_CODES.has(error.code) ? error.code : 'INTERNAL';
    let hint = error?.hint;
    if (response.status === 401 && this.token === undefined) {
      hint =
        'pass --token <token> or set EDDY_TOKEN (eddy server prints an admin token on its first start)';
    }
    return new EddyError(
      `${error?.message ?? (text.trim() || response.statusText)} (${method} ${path}: HTTP ${response.status})`,
      {
        code: code as EddyErrorCode,
        domain: response.status >= 500 ? 'external' : 'user',
        retryable: response.status >= 500,
        hint,
      },
    );
  }
}
