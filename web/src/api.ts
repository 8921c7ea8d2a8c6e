/**
 * The dashboard's only data source: the control plane's HTTP API, called with the token the user
 * gave (kept in this browser's localStorage). Types come from src/protocol, shared with the server.
 */
import type {
  ApplicationDescription,
  ApplicationVersion,
  Caller,
  CpuProfile,
  JobHistory,
  JobView,
  OperationAccepted,
  OperationDescription,
  SnapshotDescription,
} from './types.ts';

const TOKEN_KEY = 'eddy.token';

/** The token in use, if any. */
export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

/** Remembers (or, with null, forgets) the token. */
export function setToken(t: string | null): void {
  if (t === null) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, t);
}

/** An error answer of the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const t = token();
  if (t !== null) headers['authorization'] = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (!r.ok) {
    const e = (json as { error?: { code: string; message: string; hint?: string } } | undefined)
      ?.error;
    throw new ApiError(r.status, e?.code ?? 'HTTP', e?.message ?? r.statusText, e?.hint);
  }
  return json as T;
}

const app = (name: string) => `/v1/applications/${encodeURIComponent(name)}`;

/** Every call the dashboard makes. */
export const api = {
  me: () => call<Caller>('GET', '/v1/me'),
  applications: () => call<ApplicationDescription[]>('GET', '/v1/applications'),
  application: (name: string) => call<ApplicationDescription>('GET', app(name)),
  job: (name: string) => call<JobView>('GET', `${app(name)}/job`),
  history: (name: string) => call<JobHistory>('GET', `${app(name)}/job/history`),
  versions: (name: string) => call<ApplicationVersion[]>('GET', `${app(name)}/versions`),
  operations: (name: string) => call<OperationDescription[]>('GET', `${app(name)}/operations`),
  snapshots: (name: string) => call<SnapshotDescription[]>('GET', `${app(name)}/snapshots`),
  logs: async (name: string, tail: number): Promise<string> => {
    const t = token();
    const r = await fetch(`${app(name)}/logs?tail=${tail}`, {
      headers: t === null ? {} : { authorization: `Bearer ${t}` },
    });
    if (!r.ok) throw new ApiError(r.status, 'HTTP', `logs: ${r.statusText}`);
    return r.text();
  },
  /**
   * Follows the log: its last `tail` lines, then each new line as the server writes it —
   * server-sent events read from a fetch stream (EventSource cannot send the bearer token).
   * Resolves when the server ends the stream; rejects when `signal` aborts or the call fails.
   */
  followLogs: async (
    name: string,
    tail: number,
    onLines: (lines: readonly string[]) => void,
    signal: AbortSignal,
  ): Promise<void> => {
    const t = token();
    const r = await fetch(`${app(name)}/logs?tail=${tail}&follow=true`, {
      headers: t === null ? {} : { authorization: `Bearer ${t}` },
      signal,
    });
    if (!r.ok || r.body === null) throw new ApiError(r.status, 'HTTP', `logs: ${r.statusText}`);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      pending += value;
      // Events end with a blank line; the last piece may be an event still arriving.
      const events = pending.split('\n\n');
      pending = events.pop() ?? '';
      const lines: string[] = [];
      for (const event of events) {
        for (const field of event.split('\n')) {
          if (field.startsWith('data: ')) lines.push(field.slice(6));
          else if (field === 'data:') lines.push('');
        }
      }
      if (lines.length > 0) onLines(lines);
    }
  },
  flameGraph: (
    name: string,
    body: { vertex: number; subtask: number; durationMs: number; intervalUs: number },
  ) => call<CpuProfile>('POST', `${app(name)}/job/flamegraph`, body),
  start: (name: string, restore?: { mode: string; snapshot?: string }) =>
    call<OperationAccepted>('POST', `${app(name)}/start`, restore === undefined ? {} : { restore }),
  stop: (name: string, body: { snapshot?: boolean; force?: boolean }) =>
    call<OperationAccepted>('POST', `${app(name)}/stop`, body),
  snapshot: (name: string) => call<OperationAccepted>('POST', `${app(name)}/snapshots`, {}),
  rollback: (name: string) => call<OperationAccepted>('POST', `${app(name)}/rollback`, {}),
  update: (name: string, config: unknown) =>
    call<OperationAccepted>('PATCH', app(name), { config }),
};
