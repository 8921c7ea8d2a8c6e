/** Checkpoint counters and history: duration, size, alignment, status, why failed ones failed. */
import { bytes, duration, num, time } from '../format.ts';
import type { JobView } from '../types.ts';

/** The checkpoints tab. */
export function CheckpointsTab({ job }: { name: string; job: JobView | undefined }) {
  if (job === undefined) return <p class="loading">Loading…</p>;
  const c = job.checkpoints;
  return (
    <section aria-label="checkpoints">
      <p>
        <strong>{num(c.completed)}</strong> completed · <strong>{num(c.failed)}</strong> failed ·{' '}
        {num(c.restarts)} restart(s)
        {c.restoredFrom !== null && (
          <>
            {' '}
            · restored from <code>{c.restoredFrom}</code>
          </>
        )}
      </p>
      {c.history.length === 0 ? (
        <p class="muted">No checkpoint yet.</p>
      ) : (
        <table class="grid" aria-label="checkpoint history">
          <thead>
            <tr>
              <th class="n">Id</th>
              <th>Status</th>
              <th>Type</th>
              <th>Triggered</th>
              <th class="n">Duration</th>
              <th class="n">Size</th>
              <th class="n">Alignment</th>
              <th>Path / failure</th>
            </tr>
          </thead>
          <tbody>
            {c.history.map((h) => (
              <tr
                key={`${h.id}-${h.triggeredAt}`}
                class={h.status === 'FAILED' ? 'failing' : undefined}
              >
                <td class="n">{h.id}</td>
                <td>
                  <span class={`badge badge-${h.status.toLowerCase()}`}>{h.status}</span>
                </td>
                <td>{h.savepoint ? 'savepoint' : 'checkpoint'}</td>
                <td>{time(h.triggeredAt)}</td>
                <td class="n">{duration(h.durationMs)}</td>
                <td class="n">{bytes(h.sizeBytes)}</td>
                <td class="n">{duration(h.alignmentMs)}</td>
                <td class="small">{h.failure ?? <code>{h.path}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
