/** The application's log (stdout and stderr of its process), tailed every two seconds. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';

/** The logs tab. */
export function LogsTab({ name }: { name: string }) {
  const [lines, setLines] = useState(200);
  const [follow, setFollow] = useState(true);
  const logs = usePoll(() => api.logs(name, lines), follow ? 2000 : 0, [name, lines, follow]);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (follow && pre.current !== null) pre.current.scrollTop = pre.current.scrollHeight;
  }, [logs.data, follow]);
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
      {logs.error !== undefined && <p class="error">{logs.error.message}</p>}
      <pre class="logs" ref={pre} tabIndex={0} aria-label="log lines">
        {logs.data ?? 'Loading…'}
      </pre>
    </section>
  );
}
