/**
 * Renders a {@link MetricsRegistry} in the Prometheus text format with prom-client, using a
 * registry per engine instance (never prom-client's global one) plus Node's process metrics.
 *
 * @module
 */
import client from 'prom-client';
import type { MetricsRegistry, RegisteredMetric } from './metrics-registry.ts';

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
      client.collectDefaultMetrics({ register: this.processRegistry, prefix: 'eddy_' });
    }
    return this.processRegistry;
  }

  /** Renders every metric. */
  async render(): Promise<string> {
    const registry = new client.Registry();
    const byName = new Map<string, RegisteredMetric[]>();
    for (const m of this.metrics.all()) {
      const list = byName.get(m.name);
      if (list === undefined) byName.set(m.name, [m]);
      else list.push(m);
    }
    for (const [name, list] of byName) {
      const first = list[0] as RegisteredMetric;
      const labelNames = [...new Set(list.flatMap((m) => Object.keys(m.labels)))];
      const full = (m: RegisteredMetric): Record<string, string> =>
        Object.fromEntries(labelNames.map((l) => [l, m.labels[l] ?? '']));
      const base = `eddy_${name}`;
      switch (first.type) {
        case 'counter': {
          const c = new client.Counter({
            name: base.endsWith('_total') ? base : `${base}_total`,
            help: first.help,
            labelNames,
            registers: [registry],
          });
          for (const m of list) if (m.type === 'counter') c.inc(full(m), m.metric.count);
          break;
        }
        case 'gauge': {
          const g = new client.Gauge({
            name: base,
            help: first.help,
            labelNames,
            registers: [registry],
          });
          for (const m of list) if (m.type === 'gauge') g.set(full(m), finite(m.metric.value));
          break;
        }
        case 'meter': {
          const rate = new client.Gauge({
            name: `${base}_per_second`,
            help: `${first.help} (per second, last minute)`,
            labelNames,
            registers: [registry],
          });
          const total = new client.Counter({
            name: `${base}_total`,
            help: first.help,
            labelNames,
            registers: [registry],
          });
          for (const m of list) {
            if (m.type !== 'meter') continue;
            rate.set(full(m), m.metric.rate);
            total.inc(full(m), m.metric.count);
          }
          break;
        }
        case 'histogram': {
          const q = new client.Gauge({
            name: base,
            help: first.help,
            labelNames: [...labelNames, 'quantile'],
            registers: [registry],
          });
          const count = new client.Gauge({
            name: `${base}_count`,
            help: `${first.help} (count)`,
            labelNames,
            registers: [registry],
          });
          const sum = new client.Gauge({
            name: `${base}_sum`,
            help: `${first.help} (sum)`,
            labelNames,
            registers: [registry],
          });
          for (const m of list) {
            if (m.type !== 'histogram') continue;
            for (const quantile of QUANTILES)
              q.set(
                { ...full(m), quantile: String(quantile) },
                finite(m.metric.quantile(quantile)),
              );
            count.set(full(m), m.metric.count);
            sum.set(full(m), m.metric.sum);
          }
          break;
        }
      }
    }
    return client.Registry.merge([registry, this.processMetrics()]).metrics();
  }
}

/** Prometheus accepts ±Inf and NaN, but dashboards choke on them: report watermarks as numbers. */
function finite(v: number): number {
  if (v === Number.NEGATIVE_INFINITY) return -1;
  if (v === Number.POSITIVE_INFINITY) return Number.MAX_SAFE_INTEGER;
  return Number.isNaN(v) ? 0 : v;
}
