/**
 * Flame graphs on demand: pick a vertex's subtask, how long and how finely to sample; the server
 * samples that subtask's thread with V8's profiler and the page draws the profile, which also
 * downloads as a `.cpuprofile` for Chrome DevTools.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { FlameGraph } from '../components/flame-graph.tsx';
import type { Route } from '../router.ts';
import type { CpuProfile, JobView } from '../types.ts';
import { useWidth } from './overview-tab.tsx';

/** The flame graph tab. */
export function FlameGraphTab({
  name,
  job,
  route,
}: {
  name: string;
  job: JobView | undefined;
  route: Route;
}) {
  const [vertex, setVertex] = useState<number | undefined>(() => {
    const v = route.query.get('vertex');
    return v === null ? undefined : Number(v);
  });
  const [subtask, setSubtask] = useState(() => Number(route.query.get('subtask') ?? 0));
  const [seconds, setSeconds] = useState(5);
  const [intervalUs, setIntervalUs] = useState(1000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [profile, setProfile] = useState<CpuProfile | undefined>(undefined);
  const [download, setDownload] = useState<string | undefined>(undefined);
  const [ref, width] = useWidth<HTMLElement>();
  useEffect(
    () => () => {
      if (download !== undefined) URL.revokeObjectURL(download);
    },
    [download],
  );
  if (job === undefined) return <p class="loading">Loading…</p>;
  if (job.state !== 'RUNNING')
    return <p class="muted">Flame graphs need a running job ({job.state}).</p>;
  const v = job.vertices.find((x) => x.id === vertex) ?? job.vertices[0];
  const sample = () => {
    if (v === undefined) return;
    setBusy(true);
    setError(undefined);
    api
      .flameGraph(name, {
        vertex: v.id,
        subtask: Math.min(subtask, v.parallelism - 1),
        durationMs: seconds * 1000,
        intervalUs,
      })
      .then(
        (p) => {
          setProfile(p);
          setDownload(
            URL.createObjectURL(new Blob([JSON.stringify(p)], { type: 'application/json' })),
          );
        },
        (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <section aria-label="flame graph" ref={ref}>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          sample();
        }}
      >
        <label>
          Vertex{' '}
          <select
            value={v?.id}
            onChange={(e) => setVertex(Number((e.target as HTMLSelectElement).value))}
          >
            {job.vertices.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} (×{x.parallelism})
              </option>
            ))}
          </select>
        </label>
        <label>
          Subtask{' '}
          <select
            value={subtask}
            onChange={(e) => setSubtask(Number((e.target as HTMLSelectElement).value))}
          >
            {Array.from({ length: v?.parallelism ?? 1 }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seconds{' '}
          <input
            type="number"
            min={1}
            max={60}
            value={seconds}
            onInput={(e) => setSeconds(Number((e.target as HTMLInputElement).value))}
          />
        </label>
        <label>
          Interval (µs){' '}
          <input
            type="number"
            min={50}
            max={100000}
            step={50}
            value={intervalUs}
            onInput={(e) => setIntervalUs(Number((e.target as HTMLInputElement).value))}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || v === undefined}>
          {busy ? `Sampling for ${seconds} s…` : 'Sample'}
        </button>
        {download !== undefined && (
          <a href={download} download={`${name}-${v?.name ?? 'vertex'}-${subtask}.cpuprofile`}>
            Download .cpuprofile
          </a>
        )}
      </form>
      <p class="muted">
        Subtask {subtask} of every operator shares one thread (slot sharing, as in Flink): the
        profile shows all the work of that thread. Sampling costs a little throughput while it runs.
      </p>
      {error !== undefined && <p class="error">{error}</p>}
      {profile !== undefined && <FlameGraph profile={profile} width={Math.max(600, width - 4)} />}
    </section>
  );
}
