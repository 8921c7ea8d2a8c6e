/**
 * Metrics as plain data: one sample per registered metric, read at the moment of the call.
 * Used by test harnesses and `runPipeline` (and usable by anything that wants numbers rather
 * than Prometheus text).
 *
 * @module
 */
import type { MetricLabels, MetricsRegistry } from './metrics-registry.ts';

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

/** Reads every metric of `registry` as plain data. */
export function sampleMetrics(registry: MetricsRegistry): MetricSample[] {
  const out: MetricSample[] = [];
  for (const m of registry.all()) {
    let value: MetricValue;
    switch (m.type) {
      case 'counter':
        value = m.metric.count;
        break;
      case 'gauge':
        value = m.metric.value;
        break;
      case 'meter':
        value = { count: m.metric.count, rate: m.metric.rate };
        break;
      case 'histogram': {
        const h = m.metric;
        value = {
          count: h.count,
          sum: h.sum,
          min: h.min,
          max: h.max,
          p50: h.quantile(0.5),
          p95: h.quantile(0.95),
          p99: h.quantile(0.99),
        };
        break;
      }
    }
    out.push({ name: m.name, type: m.type, labels: m.labels, value });
  }
  return out;
}
