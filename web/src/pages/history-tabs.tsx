/** The snapshots and operations of an application. */
import { api } from '../api.ts';
import { bytes, time } from '../format.ts';
import { usePoll } from '../hooks.ts';

/** The snapshots tab. */
export function SnapshotsTab({ name }: { name: string }) {
  const { data, error } = usePoll(() => api.snapshots(name), 3000, [name]);
  if (error !== undefined) return <p class="error">{error.message}</p>;
  if (data === undefined) return <p class="loading">Loading…</p>;
  if (data.length === 0) return <p class="muted">No snapshot yet.</p>;
  return (
    <table class="grid" aria-label="snapshots">
      <thead>
        <tr>
          <th>Id</th>
          <th>Status</th>
          <th class="n">Version</th>
          <th>Created</th>
          <th class="n">Size</th>
          <th>Taken by</th>
          <th>Failure</th>
        </tr>
      </thead>
      <tbody>
        {data.map((s) => (
          <tr key={s.id}>
            <td>
              <code>{s.id}</code>
            </td>
            <td>
              <span class={`badge badge-${s.status.toLowerCase()}`}>{s.status}</span>
            </td>
            <td class="n">{s.version}</td>
            <td>{time(s.createdAt)}</td>
            <td class="n">{bytes(s.sizeBytes)}</td>
            <td>{s.system ? 'the server' : 'a user'}</td>
            <td class="small">{s.failureReason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The operations tab. */
export function OperationsTab({ name }: { name: string }) {
  const { data, error } = usePoll(() => api.operations(name), 3000, [name]);
  if (error !== undefined) return <p class="error">{error.message}</p>;
  if (data === undefined) return <p class="loading">Loading…</p>;
  return (
    <table class="grid" aria-label="operations">
      <thead>
        <tr>
          <th>Operation</th>
          <th>Type</th>
          <th>Status</th>
          <th>By</th>
          <th>Started</th>
          <th>Ended</th>
          <th class="n">Version</th>
          <th>Snapshot / failure</th>
        </tr>
      </thead>
      <tbody>
        {data.map((o) => (
          <tr key={o.id} class={o.status === 'FAILED' ? 'failing' : undefined}>
            <td>
              <code>{o.id}</code>
            </td>
            <td>{o.type}</td>
            <td>
              <span class={`badge badge-${o.status.toLowerCase()}`}>{o.status}</span>
            </td>
            <td>{o.by}</td>
            <td>{time(o.startedAt)}</td>
            <td>{time(o.endedAt)}</td>
            <td class="n">{o.version ?? ''}</td>
            <td class="small">{o.failureReason ?? o.snapshot ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
