/** The job graph, the opened vertex's subtasks and charts, and the application's charts. */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { duration, num, rate, share, time } from '../format.ts';
import { usePoll } from '../hooks.ts';
import { href, navigate, type Route } from '../router.ts';
import type { JobHistory, JobView, VertexView } from '../types.ts';
import { JobGraph } from '../components/job-graph.tsx';
import { TimeChart } from '../components/time-chart.tsx';

/** The width available to a chart row, following the window. */
export function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(1200);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

function JobSummary({ job }: { job: JobView }) {
  return (
    <p class="muted" data-testid="job-summary">
      Job <strong>{job.jobName ?? '–'}</strong> · {job.state} · {job.vertices.length} vertices ·
      parallelism {job.parallelism} · up {duration(job.uptimeMs)} · checkpoints{' '}
      {job.checkpoints.completed} completed, {job.checkpoints.failed} failed · updated{' '}
      <span data-testid="sampled-at">{time(job.sampledAt)}</span>
    </p>
  );
}

function VertexPanel({
  name,
  v,
  history,
}: {
  name: string;
  v: VertexView;
  history: JobHistory | undefined;
}) {
  const [ref, width] = useWidth<HTMLElement>();
  const h = history?.vertices[String(v.id)];
  const chartWidth = Math.max(280, Math.floor((width - 24) / 3) - 24);
  return (
    <section class="panel" aria-label={`vertex ${v.name}`} ref={ref}>
      <h2>
        {v.name}{' '}
        <span class="muted">
          ({v.kind}, parallelism {v.parallelism}
          {v.keyed ? ', keyed' : ''}, backpressure {v.backPressureLevel})
        </span>
      </h2>
      {v.definedAt !== null && <p class="muted">defined at {v.definedAt}</p>}
      <table class="grid" aria-label="subtasks">
        <thead>
          <tr>
            <th class="n">Subtask</th>
            <th class="n">Records in</th>
            <th class="n">Records out</th>
            <th class="n">In/s</th>
            <th class="n">Out/s</th>
            <th class="n">Busy</th>
            <th class="n">Idle</th>
            <th class="n">Backpressured</th>
            <th>Input watermark</th>
            <th>Output watermark</th>
            <th class="n">Watermark lag</th>
            <th>Operator metrics</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {v.subtasks.map((s) => (
            <tr key={s.index}>
              <td class="n">{s.index}</td>
              <td class="n">{num(s.metrics.recordsIn)}</td>
              <td class="n">{num(s.metrics.recordsOut)}</td>
              <td class="n">{rate(s.metrics.recordsInPerSecond)}</td>
              <td class="n">{rate(s.metrics.recordsOutPerSecond)}</td>
              <td class="n">{share(s.metrics.busyTimeMsPerSecond)}</td>
              <td class="n">{share(s.metrics.idleTimeMsPerSecond)}</td>
              <td class="n">{share(s.metrics.backPressuredTimeMsPerSecond)}</td>
              <td>{s.metrics.inputWatermark === null ? '–' : time(s.metrics.inputWatermark)}</td>
              <td>{s.metrics.outputWatermark === null ? '–' : time(s.metrics.outputWatermark)}</td>
              <td class="n">{duration(s.metrics.watermarkLagMs)}</td>
              <td class="small">
                {Object.entries(s.userMetrics)
                  .map(([k, val]) => `${k}=${num(val)}`)
                  .join(', ') || '–'}
              </td>
              <td>
                <a
                  href={href(['apps', name, 'flamegraph'], {
                    vertex: String(v.id),
                    subtask: String(s.index),
                  })}
                >
                  Flame graph
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {h !== undefined && history !== undefined && history.times.length > 0 && (
        <div class="charts">
          <TimeChart
            title="Records per second"
            times={history.times}
            width={chartWidth}
            series={[
              { label: 'in', values: h.recordsInPerSecond },
              { label: 'out', values: h.recordsOutPerSecond },
            ]}
          />
          <TimeChart
            title="Busy and backpressured (ms/s, busiest subtask)"
            times={history.times}
            width={chartWidth}
            series={[
              { label: 'busy', values: h.busyTimeMsPerSecond },
              { label: 'backpressured', values: h.backPressuredTimeMsPerSecond },
            ]}
          />
          <TimeChart
            title="Watermark lag (ms)"
            times={history.times}
            width={chartWidth}
            series={[{ label: 'lag', values: h.watermarkLagMs }]}
          />
        </div>
      )}
    </section>
  );
}

/** The overview tab. */
export function OverviewTab({
  name,
  job,
  route,
}: {
  name: string;
  job: JobView | undefined;
  route: Route;
}) {
  const history = usePoll(() => api.history(name), 5000, [name]);
  const [ref, width] = useWidth<HTMLDivElement>();
  const selected = route.query.get('vertex');
  const vertexId = selected === null ? undefined : Number(selected);
  const vertex = job?.vertices.find((v) => v.id === vertexId);
  const h = history.data;
  const chartWidth = Math.max(280, Math.floor((width - 36) / 4) - 18);
  return (
    <div ref={ref}>
      {job === undefined ? (
        <p class="loading">Loading…</p>
      ) : job.vertices.length === 0 ? (
        <p class="muted">The application has no running job ({job.state}).</p>
      ) : (
        <>
          <JobSummary job={job} />
          <JobGraph
            view={job}
            selected={vertexId}
            onOpen={(id) =>
              navigate(
                ['apps', name, 'overview'],
                id === vertexId ? undefined : { vertex: String(id) },
              )
            }
          />
          {vertex !== undefined && <VertexPanel name={name} v={vertex} history={h} />}
        </>
      )}
      {h !== undefined && h.times.length > 0 && (
        <section aria-label="charts">
          <h2>
            Over time{' '}
            <span class="muted">
              (one point every {duration(h.stepMs)}, kept {duration(h.retentionMs)})
            </span>
          </h2>
          <div class="charts">
            <TimeChart
              title="Throughput (records/s out of the sources)"
              times={h.times}
              width={chartWidth}
              series={[{ label: 'records/s', values: h.throughput }]}
            />
            <TimeChart
              title="Kafka lag (records)"
              times={h.times}
              width={chartWidth}
              series={[{ label: 'lag', values: h.kafkaLag }]}
            />
            <TimeChart
              title="Busy time (ms/s, busiest subtask)"
              times={h.times}
              width={chartWidth}
              series={[{ label: 'busy', values: h.busyTimeMsPerSecond }]}
            />
            <TimeChart
              title="Checkpoint duration (ms)"
              times={h.times}
              width={chartWidth}
              series={[{ label: 'duration', values: h.checkpointDurationMs }]}
            />
          </div>
        </section>
      )}
    </div>
  );
}
