/**
 * Metrics as plain data: one sample per registered metric, read at the moment of the call.
 * Used by test harnesses, `runPipeline`, the job client and the server (anything that wants
 * numbers rather than Prometheus text).
 *
 * @module
 */

/** Labels of a metric: job, operator, subtask and any user groups. */
export type MetricLabels = Readonly<Record<string, string>>;

/** The value of a meter: its count and its rate over the last minute. */
export interface MeterValue {
  readonly count: number;
  /** Events per second (0 until the meter has been ticked twice). */
  readonly rate: number;
}

/** The value of a histogram: exact count, sum, min and max, and quantiles of recent samples. */
export interface HistogramValue {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** A counter's count, a gauge's value, or a meter's or histogram's summary. */
export type MetricValue = number | MeterValue | HistogramValue;

/** One metric with its labels and current value. */
export interface MetricSample {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'meter' | 'histogram';
  readonly labels: MetricLabels;
  readonly value: MetricValue;
}
