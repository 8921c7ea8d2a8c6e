/**
 * The metrics of one engine instance (one job run): scopes, registration and a view for
 * exporters. Nothing here is global, so two jobs in one process never mix their metrics.
 *
 * @module
 */
import type { Counter, Gauge, Histogram, Meter, MetricGroup } from '../core/metric-group.ts';
import type { MetricLabels } from '../core/metric-sample.ts';
import { ReservoirHistogram, SimpleCounter, SimpleGauge, SimpleMeter } from './metric-types.ts';

export type { MetricLabels } from '../core/metric-sample.ts';

/** One registered metric. */
export type RegisteredMetric =
  | {
      readonly type: 'counter';
      readonly name: string;
      readonly help: string;
      readonly labels: MetricLabels;
      readonly metric: SimpleCounter;
    }
  | {
      readonly type: 'gauge';
      readonly name: string;
      readonly help: string;
      readonly labels: MetricLabels;
      readonly metric: SimpleGauge;
    }
  | {
      readonly type: 'histogram';
      readonly name: string;
      readonly help: string;
      readonly labels: MetricLabels;
      readonly metric: ReservoirHistogram;
    }
  | {
      readonly type: 'meter';
      readonly name: string;
      readonly help: string;
      readonly labels: MetricLabels;
      readonly metric: SimpleMeter;
    };

/** The implementation class of each metric type. */
interface MetricClasses {
  counter: SimpleCounter;
  gauge: SimpleGauge;
  histogram: ReservoirHistogram;
  meter: SimpleMeter;
}

/** Metric names become Prometheus names: letters, digits and underscores. */
export function sanitizeMetricName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(s) ? s : `_${s}`;
}

/** All metrics of an engine instance. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, RegisteredMetric>();
  private readonly meters: SimpleMeter[] = [];

  /** The root scope (labels: job). */
  group(labels: MetricLabels): MetricGroup {
    return new ScopedGroup(this, labels);
  }

  /** Every registered metric. */
  all(): IterableIterator<RegisteredMetric> {
    return this.metrics.values();
  }

  /** Snapshots meter counts; the executor calls this every few seconds. */
  tickMeters(now: number): void {
    for (const m of this.meters) m.tick(now);
  }

  /** @internal Registers a counter whose count is read from the runtime. */
  derivedCounter(name: string, help: string, labels: MetricLabels, read: () => number): void {
    this.register('counter', name, help, labels, () => new SimpleCounter(read));
  }

  /** @internal Registers a meter whose count is read from the runtime. */
  derivedMeter(name: string, help: string, labels: MetricLabels, read: () => number): void {
    this.register('meter', name, help, labels, () => new SimpleMeter(read));
  }

  /** @internal Registers a gauge computed on read. */
  derivedGauge(name: string, help: string, labels: MetricLabels, read: () => number): void {
    this.register('gauge', name, help, labels, () => new SimpleGauge(read));
  }

  /** @internal */
  register<T extends keyof MetricClasses>(
    type: T,
    name: string,
    help: string,
    labels: MetricLabels,
    create: () => MetricClasses[T],
  ): MetricClasses[T] {
    const id = `${name}${JSON.stringify(labels)}`;
    const existing = this.metrics.get(id);
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new TypeError(
          `metric "${name}" is already registered as a ${existing.type}, not a ${type}`,
        );
      }
      return existing.metric as MetricClasses[T];
    }
    const metric = create();
    if (metric instanceof SimpleMeter) this.meters.push(metric);
    this.metrics.set(id, { type, name, help, labels, metric } as RegisteredMetric);
    return metric;
  }
}

class ScopedGroup implements MetricGroup {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly labels: MetricLabels,
  ) {}
  counter(name: string, help = name): Counter {
    return this.registry.register(
      'counter',
      sanitizeMetricName(name),
      help,
      this.labels,
      () => new SimpleCounter(),
    );
  }
  gauge(name: string, read?: () => number, help = name): Gauge {
    return this.registry.register(
      'gauge',
      sanitizeMetricName(name),
      help,
      this.labels,
      () => new SimpleGauge(read),
    );
  }
  histogram(name: string, help = name): Histogram {
    return this.registry.register(
      'histogram',
      sanitizeMetricName(name),
      help,
      this.labels,
      () => new ReservoirHistogram(),
    );
  }
  meter(name: string, help = name): Meter {
    return this.registry.register(
      'meter',
      sanitizeMetricName(name),
      help,
      this.labels,
      () => new SimpleMeter(),
    );
  }
  addGroup(key: string, value: string): MetricGroup {
    return new ScopedGroup(this.registry, { ...this.labels, [sanitizeMetricName(key)]: value });
  }
}
