/**
 * Metric handles available in every user function as `ctx.metrics` (map, filter, flatMap,
 * process, sinks alike — unlike PyFlink, where some function kinds cannot register metrics).
 *
 * @module
 */

/** A monotonically increasing count. */
export interface Counter {
  inc(n?: number): void;
  readonly count: number;
}

/** A value sampled when metrics are read. */
export interface Gauge {
  set(value: number): void;
  readonly value: number;
}

/** A distribution of observed values (count, sum, min, max, quantiles). */
export interface Histogram {
  observe(value: number): void;
  readonly count: number;
}

/** Events per second over a sliding minute. */
export interface Meter {
  markEvent(n?: number): void;
  /** Events per second, averaged over the last 60 s. */
  readonly rate: number;
  readonly count: number;
}

/**
 * A scope of metrics (job / operator / subtask). Registering the same name twice returns the same
 * metric, so registering in `processElement` is allowed (but `open` is cheaper).
 */
export interface MetricGroup {
  counter(name: string, help?: string): Counter;
  /** A gauge; with `read`, its value is computed by calling `read` when metrics are collected. */
  gauge(name: string, read?: () => number, help?: string): Gauge;
  histogram(name: string, help?: string): Histogram;
  meter(name: string, help?: string): Meter;
  /** A child scope; its metrics carry the extra label. */
  addGroup(key: string, value: string): MetricGroup;
}
