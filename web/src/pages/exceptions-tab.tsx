/** Exception history: when, which attempt, operator and subtask, the message and the stack. */
import { time } from '../format.ts';
import type { JobView } from '../types.ts';

/** The exceptions tab. */
export function ExceptionsTab({ job }: { job: JobView | undefined }) {
  if (job === undefined) return <p class="loading">Loading…</p>;
  const list = job.exceptions.slice().reverse();
  if (list.length === 0)
    return <p class="muted">No exception: every attempt of the job ran clean.</p>;
  return (
    <section aria-label="exceptions">
      {list.map((e, i) => (
        <details key={`${e.time}-${i}`} class="exception" open={i === 0}>
          <summary>
            <span class="badge badge-failed">{e.code}</span> {time(e.time)} · attempt {e.attempt}
            {e.operator !== null && ` · ${e.operator}`}
            {e.subtask !== null && ` subtask ${e.subtask}`} — {e.message}
          </summary>
          {e.stack !== null && <pre class="stack">{e.stack}</pre>}
        </details>
      ))}
    </section>
  );
}
