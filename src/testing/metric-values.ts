/**
 * Metric samples as a flat record for assertions: `{ records_in: 3, bot_users: 1, … }`.
 *
 * @module
 */
import type { MetricSample, MetricValue } from '../core/metric-sample.ts';

export type {
  HistogramValue,
  MeterValue,
  MetricSample,
  MetricValue,
} from '../core/metric-sample.ts';

/**
 * The metrics of one operator by name. Counters and gauges are numbers, meters `{count, rate}`,
 * histograms `{count, sum, min, max, p50, p95, p99}`. A metric registered in a child group
 * (`metrics.addGroup('region', 'eu').counter('hits')`) is listed as `hits{region="eu"}`.
 */
export type MetricValues = Readonly<Record<string, MetricValue>>;

/** Labels the runtime puts on every operator metric; they identify the scope, not the metric. */
export const SCOPE_LABELS: ReadonlySet<string> = new Set([
  'job',
  'operator',
  'operator_id',
  'subtask',
]);

/** The display key of a sample: its name plus any labels other than the scope labels. */
export function metricKey(sample: MetricSample): string {
  const extra = Object.entries(sample.labels).filter(([k]) => !SCOPE_LABELS.has(k));
  if (extra.length === 0) return sample.name;
  return `${sample.name}{${extra.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** Turns samples of one scope into {@link MetricValues}. */
export function toMetricValues(samples: readonly MetricSample[]): MetricValues {
  const out: Record<string, MetricValue> = {};
  for (const s of samples) out[metricKey(s)] = s.value;
  return out;
}
