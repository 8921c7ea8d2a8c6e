/**
 * Turns what a host reports about a job (its plan and the flat list of metric samples of every
 * subtask, checkpoint statistics, exception history) into the {@link JobView} the dashboard
 * draws: one entry per vertex with its subtasks, the vertex figures combined as Flink's web UI
 * combines them (sums for records and rates, the busiest / most backpressured subtask for task
 * time, the minimum for watermarks), and the Kafka sources' lag per partition.
 *
 * @module
 */
import type { MetricSample } from '../../core/metric-sample.ts';
import type { ApplicationStatus } from '../../protocol/application.ts';
import type {
  BackPressureLevel,
  JobState,
  JobView,
  KafkaPartitionLag,
  SubtaskView,
  TaskMetrics,
  VertexView,
} from '../../protocol/job-view.ts';
import type { HostJobStatus } from '../host/host-protocol.ts';

/** Labels every operator metric carries; the rest are user groups (Kafka topic, partition …). */
const STANDARD_LABELS = new Set(['job', 'operator', 'operator_id', 'subtask']);
const LEVELS: readonly BackPressureLevel[] = ['OK', 'LOW', 'HIGH'];
const STARTING_STATES: readonly ApplicationStatus[] = [
  'STARTING',
  'UPDATING',
  'ROLLING_BACK',
  'AUTOSCALING',
];

type MutableTaskMetrics = { -readonly [K in keyof TaskMetrics]: TaskMetrics[K] };

function emptyMetrics(): MutableTaskMetrics {
  return {
    recordsIn: 0,
    recordsOut: 0,
    recordsInPerSecond: 0,
    recordsOutPerSecond: 0,
    busyTimeMsPerSecond: 0,
    idleTimeMsPerSecond: 0,
    backPressuredTimeMsPerSecond: 0,
    inputWatermark: null,
    outputWatermark: null,
    watermarkLagMs: null,
    lateRecordsDropped: 0,
  };
}

/** A watermark as JSON: none yet (−∞), or the end of input (+∞), is `null`. */
function watermarkOf(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

// Samples cross the host's JSON IPC channel, where ±Infinity (a watermark) and NaN become null.
function numberOf(s: MetricSample): number {
  const v = s.value as MetricSample['value'] | null;
  if (v === null) return Number.NaN;
  return typeof v === 'number' ? v : v.count;
}

function rateOf(s: MetricSample): number {
  const v = s.value as MetricSample['value'] | null;
  if (v === null) return 0;
  return typeof v === 'number' ? v : 'rate' in v ? v.rate : 0;
}

/** The key of a user metric: its extra label groups, then its name. */
function userMetricKey(s: MetricSample): string {
  let key = '';
  for (const [k, v] of Object.entries(s.labels)) if (!STANDARD_LABELS.has(k)) key += `${k}=${v}.`;
  return key + s.name;
}

interface SubtaskAcc {
  readonly metrics: MutableTaskMetrics;
  readonly user: Record<string, number>;
}

/** Builds the job view of application `application` at wall-clock time `now`. */
export function buildJobView(
  application: string,
  applicationStatus: ApplicationStatus,
  status: HostJobStatus | undefined,
  now: number,
): JobView {
  const plan = status?.plan;
  const state: JobState =
    status !== undefined
      ? status.status
      : STARTING_STATES.includes(applicationStatus)
        ? 'STARTING'
        : 'NOT_RUNNING';
  const subtasks = new Map<number, Map<number, SubtaskAcc>>();
  const levels = new Map<number, number>();
  const kafkaPartitions: KafkaPartitionLag[] = [];
  let commitsSucceeded = 0;
  let commitsFailed = 0;
  let uptimeMs: number | null = null;

  for (const s of status?.metrics ?? []) {
    const opId = s.labels['operator_id'];
    const sub = s.labels['subtask'];
    if (opId === undefined) {
      if (s.name === 'uptime_ms') uptimeMs = Math.max(uptimeMs ?? 0, numberOf(s));
      continue;
    }
    const vertex = Number(opId);
    if (sub === undefined) {
      if (s.name === 'backPressureLevel') levels.set(vertex, numberOf(s));
      continue;
    }
    const index = Number(sub);
    let byIndex = subtasks.get(vertex);
    if (byIndex === undefined) subtasks.set(vertex, (byIndex = new Map()));
    let acc = byIndex.get(index);
    if (acc === undefined) {
      byIndex.set(index, (acc = { metrics: emptyMetrics(), user: {} }));
    }
    const m = acc.metrics;
    switch (s.name) {
      case 'records_in':
        m.recordsIn = numberOf(s);
        break;
      case 'records_out':
        m.recordsOut = numberOf(s);
        break;
      case 'records_in_rate':
        m.recordsInPerSecond = rateOf(s);
        break;
      case 'records_out_rate':
        m.recordsOutPerSecond = rateOf(s);
        break;
      case 'busyTimeMsPerSecond':
        m.busyTimeMsPerSecond = numberOf(s);
        break;
      case 'idleTimeMsPerSecond':
        m.idleTimeMsPerSecond = numberOf(s);
        break;
      case 'backPressuredTimeMsPerSecond':
        m.backPressuredTimeMsPerSecond = numberOf(s);
        break;
      case 'current_input_watermark':
        m.inputWatermark = watermarkOf(numberOf(s));
        break;
      case 'current_output_watermark':
        m.outputWatermark = watermarkOf(numberOf(s));
        break;
      case 'late_records_dropped':
        m.lateRecordsDropped = numberOf(s);
        break;
      case 'records_lag': {
        const topic = s.labels['topic'];
        const partition = s.labels['partition'];
        if (topic !== undefined && partition !== undefined) {
          kafkaPartitions.push({
            vertex,
            subtask: index,
            topic,
            partition: Number(partition),
            lag: numberOf(s),
          });
        }
        break;
      }
      default:
        if (s.name === 'kafka_commits_succeeded') commitsSucceeded += numberOf(s);
        else if (s.name === 'kafka_commits_failed') commitsFailed += numberOf(s);
        addUserMetric(acc.user, s);
    }
  }

  const vertices: VertexView[] = (plan?.nodes ?? []).map((node) => {
    const byIndex = subtasks.get(node.id);
    const list: SubtaskView[] = [];
    const total = emptyMetrics();
    let first = true;
    for (let i = 0; i < node.parallelism; i++) {
      const acc = byIndex?.get(i);
      const m = acc?.metrics ?? emptyMetrics();
      if (m.outputWatermark !== null) m.watermarkLagMs = Math.max(0, now - m.outputWatermark);
      list.push({ index: i, metrics: m, userMetrics: acc?.user ?? {} });
      total.recordsIn += m.recordsIn;
      total.recordsOut += m.recordsOut;
      total.recordsInPerSecond += m.recordsInPerSecond;
      total.recordsOutPerSecond += m.recordsOutPerSecond;
      total.lateRecordsDropped += m.lateRecordsDropped;
      total.busyTimeMsPerSecond = Math.max(total.busyTimeMsPerSecond, m.busyTimeMsPerSecond);
      total.backPressuredTimeMsPerSecond = Math.max(
        total.backPressuredTimeMsPerSecond,
        m.backPressuredTimeMsPerSecond,
      );
      total.idleTimeMsPerSecond = first
        ? m.idleTimeMsPerSecond
        : Math.min(total.idleTimeMsPerSecond, m.idleTimeMsPerSecond);
      total.inputWatermark = minWatermark(first, total.inputWatermark, m.inputWatermark);
      total.outputWatermark = minWatermark(first, total.outputWatermark, m.outputWatermark);
      first = false;
    }
    if (total.outputWatermark !== null) {
      total.watermarkLagMs = Math.max(0, now - total.outputWatermark);
    }
    const level =
      levels.get(node.id) ??
      (total.backPressuredTimeMsPerSecond >= 500
        ? 2
        : total.backPressuredTimeMsPerSecond >= 100
          ? 1
          : 0);
    return {
      id: node.id,
      name: node.name,
      kind: node.kind,
      uid: node.uid ?? null,
      parallelism: node.parallelism,
      keyed: node.keyed,
      chaining: node.chaining,
      definedAt: node.definedAt ?? null,
      backPressureLevel: LEVELS[level] ?? 'OK',
      metrics: total,
      subtasks: list,
    };
  });

  const cp = status?.checkpoints;
  kafkaPartitions.sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.vertex - b.vertex,
  );
  return {
    application,
    state,
    sampledAt: now,
    jobName: plan?.jobName ?? null,
    parallelism: plan?.parallelism ?? 0,
    maxParallelism: plan?.maxParallelism ?? 0,
    uptimeMs,
    heapUsedBytes: status?.heapUsedBytes ?? null,
    vertices,
    edges: (plan?.edges ?? []).map((e) => ({
      source: e.source,
      target: e.target,
      input: e.input,
      partitioning: e.partitioning,
      sideOutput: e.sideOutput ?? null,
    })),
    checkpoints: {
      completed: cp?.completed ?? 0,
      failed: cp?.failed ?? 0,
      restarts: cp?.restarts ?? 0,
      restoredFrom: cp?.restoredFrom ?? null,
      history: (cp?.history ?? [])
        .map((c) => ({
          id: c.id,
          savepoint: c.savepoint,
          status: c.status,
          path: c.path,
          triggeredAt: c.triggeredAt,
          durationMs: c.durationMs,
          sizeBytes: c.sizeBytes,
          alignmentMs: c.alignmentMs,
          failure: c.failure ?? null,
        }))
        .reverse(),
    },
    exceptions: (status?.exceptions ?? []).map((e) => ({
      time: e.time,
      attempt: e.attempt,
      operator: e.operator ?? null,
      subtask: e.subtask ?? null,
      code: e.code,
      message: e.message,
      stack: e.stack ?? null,
    })),
    kafka: {
      partitions: kafkaPartitions,
      totalLag: kafkaPartitions.reduce((sum, p) => sum + p.lag, 0),
      commitsSucceeded,
      commitsFailed,
    },
  };
}

/** The minimum watermark over subtasks; one without a watermark holds the vertex back (null). */
function minWatermark(first: boolean, acc: number | null, v: number | null): number | null {
  if (first) return v;
  if (acc === null || v === null) return null;
  return Math.min(acc, v);
}

function addUserMetric(into: Record<string, number>, s: MetricSample): void {
  const key = userMetricKey(s);
  const v = s.value as MetricSample['value'] | null;
  if (v === null) return;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) into[key] = v;
  } else if ('rate' in v) {
    into[key] = v.count;
    into[`${key}.rate`] = v.rate;
  } else {
    into[`${key}.count`] = v.count;
    into[`${key}.p50`] = v.p50;
    into[`${key}.p99`] = v.p99;
    into[`${key}.max`] = v.max;
  }
}
