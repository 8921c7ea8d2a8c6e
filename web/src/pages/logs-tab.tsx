/**
 * The application's log (stdout and stderr of its process): the last lines, then — while
 * "follow" is on — each new line as it is written, streamed by the server (server-sent events),
 * not polled. The stream reconnects after a failure (a server restart, a network blip).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';

/** Waits before reconnecting a log stream that failed or ended. */
const RECONNECT_MS = 2000;

/** The logs tab. */
export function LogsTab({ name }: { name: string }) {
  const [lines, setLines] = useState(200);
  const [follow, setFollow] = useState(true);
  const snapshot = usePoll(() => (follow ? Promise.resolve('') : api.logs(name, lines)), 0, [
    name,
    lines,
    follow,
  ]);
  const followed = useFollowedLog(name, lines, follow);
  const text = follow ? followed.text : snapshot.data;
  const error = follow ? followed.error : snapshot.error?.message;
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (follow && pre.current !== null) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text, follow]);
  return (
    <section aria-label="logs">
      <div class="toolbar">
        <label>
          Lines{' '}
          <select
            value={lines}
            onChange={(e) => setLines(Number((e.target as HTMLSelectElement).value))}
          >
            {[100, 200, 1000, 5000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow((e.target as HTMLInputElement).checked)}
          />{' '}
          follow
        </label>
      </div>
      {error !== undefined && <p class="error">{error}</p>}
      <pre class="logs" ref={pre} tabIndex={0} aria-label="log lines">
        {text ?? 'Loading…'}
      </pre>
    </section>
  );
}

/** The last `keep` lines of a followed log, as text; nothing while `enabled` is off. */
function useFollowedLog(
  name: string,
  keep: number,
  enabled: boolean,
): { text: string | undefined; error: string | undefined } {
  const [text, setText] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return undefined;
    const abort = new AbortController();
    let kept: string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    setText(undefined);
    const connect = () => {
      // A reconnect starts from the tail again: lines written while away are not lost.
      kept = [];
      api
        .followLogs(
          name,
          keep,
          (batch) => {
            kept = kept.concat(batch);
            if (kept.length > keep) kept = kept.slice(kept.length - keep);
            setText(kept.map((l) => `${l}\n`).join(''));
            setError(undefined);
          },
          abort.signal,
        )
        .catch((e: unknown) => {
          if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        })
        .finally(() => {
          if (!abort.signal.aborted) timer = setTimeout(connect, RECONNECT_MS);
        });
    };
    connect();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [name, keep, enabled]);
  return { text, error };
}
