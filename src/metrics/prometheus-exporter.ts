/**
 * Renders a {@link MetricsRegistry} in the Prometheus text format, named by Prometheus's
 * conventions (prometheus-name.ts; histograms as summaries), plus Node's process metrics from
 * prom-client under their standard names (a registry per engine instance, never prom-client's
 * global one).
 *
 * @module
 */
import client from 'prom-client';
import type { MetricsRegistry, RegisteredMetric } from './metrics-registry.ts';
import {
  meterSeries,
  prometheusSeries,
  snakeCase,
  type PrometheusSeries,
} from './prometheus-name.ts';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** Serves a job's metrics in Prometheus text format. */
export class PrometheusExporter {
  /** Node's process metrics; created on the first scrape, so jobs nobody scrapes pay nothing. */
  private processRegistry: client.Registry | undefined;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly defaultLabels: Readonly<Record<string, string>> = {},
  ) {}

  /** The content type of {@link PrometheusExporter.render}. */
  get contentType(): string {
    return client.register.contentType;
  }

  private processMetrics(): client.Registry {
    if (this.processRegistry === undefined) {
      this.processRegistry = new client.Registry();
      this.processRegistry.setDefaultLabels({ ...this.defaultLabels });
      // No prefix: Node's standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes,
      // …), which existing Node.js dashboards query.
      client.collectDefaultMetrics({ register: this.processRegistry });
    }
    return this.processRegistry;
  }

  /** Renders every metric. */
  async render(): Promise<string> {
    const byName = new Map<string, RegisteredMetric[]>();
    for (const m of this.metrics.all()) {
      const list = byName.get(m.name);
      if (list === undefined) byName.set(m.name, [m]);
      else list.push(m);
    }
    const counters = new Set<string>();
    for (const m of this.metrics.all()) if (m.type === 'counter') counters.add(snakeCase(m.name));
    const text = new PrometheusText();
    for (const list of byName.values()) {
      const first = list[0] as RegisteredMetric;
      const labelNames = [...new Set(list.flatMap((m) => Object.keys(m.labels)))];
      const full = (m: RegisteredMetric): Record<string, string> =>
        Object.fromEntries(labelNames.map((l) => [l, m.labels[l] ?? '']));
      switch (first.type) {
        case 'counter':
        case 'gauge': {
          const series = prometheusSeries(first.name, first.type);
          text.header(series, first.help);
          for (const m of list) {
            const value =
              m.type === 'counter' ? m.metric.count : m.type === 'gauge' ? m.metric.value : 0;
            text.sample(series.name, full(m), finite(value) * series.scale);
          }
          break;
        }
        case 'meter': {
          const { rate, total } = meterSeries(first.name, (c) => counters.has(c));
          text.header(rate, `${first.help} (per second, last minute)`);
          for (const m of list)
            if (m.type === 'meter') text.sample(rate.name, full(m), m.metric.rate);
          if (total !== undefined) {
            text.header(total, first.help);
            for (const m of list) {
              if (m.type === 'meter') text.sample(total.name, full(m), m.metric.count);
            }
          }
          break;
        }
        case 'histogram': {
          const series = prometheusSeries(first.name, 'histogram');
          text.header(series, first.help);
          for (const m of list) {
            if (m.type !== 'histogram') continue;
            const labels = full(m);
            for (const quantile of QUANTILES) {
              const value = finite(m.metric.quantile(quantile)) * series.scale;
              text.sample(series.name, { ...labels, quantile: String(quantile) }, value);
            }
            text.sample(`${series.name}_sum`, labels, m.metric.sum * series.scale);
            text.sample(`${series.name}_count`, labels, m.metric.count);
          }
          break;
        }
      }
    }
    return text.toString() + (await this.processMetrics().metrics());
  }
}

/** Prometheus text exposition format, version 0.0.4. */
class PrometheusText {
  private out = '';

  header(series: PrometheusSeries, help: string): void {
    this.out += `# HELP ${series.name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    this.out += `# TYPE ${series.name} ${series.type}\n`;
  }

  sample(name: string, labels: Readonly<Record<string, string>>, value: number): void {
    const pairs = Object.entries(labels).map(
      ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    );
    this.out += `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}\n`;
  }

  toString(): string {
    return this.out;
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** Prometheus accepts ±Inf and NaN, but dashboards choke on them: report watermarks as numbers. */
function finite(v: number): number {
  if (v === Number.NEGATIVE_INFINITY) return -1;
  if (v === Number.POSITIVE_INFINITY) return Number.MAX_SAFE_INTEGER;
  return Number.isNaN(v) ? 0 : v;
}
