/**
 * Reads a {@link MetricsRegistry} into plain {@link MetricSample}s.
 *
 * @module
 */
import type { MetricSample, MetricValue } from '../core/metric-sample.ts';
import type { MetricsRegistry } from './metrics-registry.ts';

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
