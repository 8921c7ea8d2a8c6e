/** The applications list: status, version, units, uptime, throughput, lag, checkpoint age. */
import { api } from '../api.ts';
import { ago, duration, num, rate } from '../format.ts';
import { usePoll } from '../hooks.ts';
import { href } from '../router.ts';
import type { ApplicationDescription, JobView } from '../types.ts';
import { StatusBadge } from '../components/status-badge.tsx';

interface Row {
  readonly app: ApplicationDescription;
  readonly job: JobView | undefined;
}

async function load(): Promise<Row[]> {
  const apps = await api.applications();
  return Promise.all(
    apps.map(async (app) => ({
      app,
      job: app.job === undefined ? undefined : await api.job(app.name).catch(() => undefined),
    })),
  );
}

/** Why a row is marked failing, if it is. */
function failing(r: Row): string | undefined {
  if (r.app.status === 'FAILED') return r.app.lastFailure?.reason ?? 'failed';
  const j = r.job;
  if (j === undefined) return undefined;
  if (j.state === 'FAILED') return 'the job failed';
  const last = j.checkpoints.history[0];
  if (last?.status === 'FAILED') return `checkpoint ${last.id} failed: ${last.failure ?? ''}`;
  const recent = j.exceptions.at(-1);
  if (recent !== undefined && Date.now() - recent.time < 10 * 60_000)
    return `exception ${ago(recent.time)}: ${recent.message}`;
  if (j.vertices.some((v) => v.backPressureLevel === 'HIGH')) return 'backpressured';
  return undefined;
}

function lastCheckpointAge(j: JobView | undefined): string {
  const c = j?.checkpoints.history.find((h) => h.status === 'COMPLETED');
  return c === undefined ? '–' : ago(c.triggeredAt + c.durationMs);
}

function throughput(j: JobView | undefined): number | undefined {
  if (j === undefined || j.state !== 'RUNNING') return undefined;
  const fed = new Set(j.edges.map((e) => e.target));
  return j.vertices
    .filter((v) => !fed.has(v.id))
    .reduce((s, v) => s + v.metrics.recordsOutPerSecond, 0);
}

/** `#/`. */
export function ApplicationsPage() {
  const { data, error } = usePoll(load, 2000);
  return (
    <main>
      <h1>Applications</h1>
      {error !== undefined && <p class="error">{error.message}</p>}
      {data === undefined ? (
        <p class="loading">Loading…</p>
      ) : data.length === 0 ? (
        <p class="muted">
          No applications yet. Upload an artifact and create one: <code>eddy apps create</code>.
        </p>
      ) : (
        <table class="grid" aria-label="applications">
          <thead>
            <tr>
              <th></th>
              <th>Name</th>
              <th>Status</th>
              <th class="n">Version</th>
              <th class="n">Units</th>
              <th class="n">Uptime</th>
              <th class="n">Records/s</th>
              <th class="n">Kafka lag</th>
              <th>Last checkpoint</th>
            </tr>
          </thead>
          <tbody>
            {data.map((r) => {
              const why = failing(r);
              return (
                <tr key={r.app.name} class={why !== undefined ? 'failing' : undefined}>
                  <td>
                    {why !== undefined && (
                      <span class="marker" title={why} aria-label={`failing: ${why}`}>
                        ●
                      </span>
                    )}
                  </td>
                  <td>
                    <a href={href(['apps', r.app.name])}>{r.app.name}</a>
                  </td>
                  <td>
                    <StatusBadge status={r.app.status} />
                  </td>
                  <td class="n">{r.app.version}</td>
                  <td class="n">{num(r.app.resources.units)}</td>
                  <td class="n">
                    {r.app.job !== undefined && r.app.status === 'RUNNING'
                      ? duration(Date.now() - new Date(r.app.job.startedAt).getTime())
                      : '–'}
                  </td>
                  <td class="n">{rate(throughput(r.job))}</td>
                  <td class="n">
                    {r.job !== undefined && r.job.kafka.partitions.length > 0
                      ? num(r.job.kafka.totalLag)
                      : '–'}
                  </td>
                  <td>{lastCheckpointAge(r.job)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
