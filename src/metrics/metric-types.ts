/**
 * The metric implementations: plain numbers updated on the record path (no allocation, no
 * labels lookup), read by the exporter when metrics are scraped.
 *
 * @module
 */
import type { Counter, Gauge, Histogram, Meter } from '../core/metric-group.ts';

/** A counter backed by a number field. */
export class SimpleCounter implements Counter {
  private value = 0;
  /** With `read`, the count is derived (built-in metrics read the runtime's own fields). */
  constructor(private readonly read?: () => number) {}
  inc(n = 1): void {
    this.value += n;
  }
  get count(): number {
    return this.read !== undefined ? this.read() : this.value;
  }
}

/** A gauge holding the last value set, or computed on read. */
export class SimpleGauge implements Gauge {
  private current = 0;
  constructor(private readonly read?: () => number) {}
  set(value: number): void {
    this.current = value;
  }
  get value(): number {
    return this.read !== undefined ? this.read() : this.current;
  }
}

const RESERVOIR = 1024;

/** A histogram over the last 1024 observations, with exact count, sum, min and max. */
export class ReservoirHistogram implements Histogram {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly samples = new Float64Array(RESERVOIR);
  observe(value: number): void {
    this.samples[this.count % RESERVOIR] = value;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
  /** The q-quantile (0..1) of the retained samples, or NaN when empty. */
  quantile(q: number): number {
    const n = Math.min(this.count, RESERVOIR);
    if (n === 0) return Number.NaN;
    const sorted = this.samples.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(q * n))] as number;
  }
}

/**
 * Events per second over the last minute. `markEvent` only adds to a count; the rate comes from
 * count snapshots that {@link MeterTicker} takes every few seconds, so the record path never reads
 * a clock.
 */
export class SimpleMeter implements Meter {
  private value = 0;
  private readonly times: number[] = [];
  private readonly counts: number[] = [];
  /** With `read`, the count is derived from a runtime field. */
  constructor(private readonly read?: () => number) {}
  markEvent(n = 1): void {
    this.value += n;
  }
  get count(): number {
    return this.read !== undefined ? this.read() : this.value;
  }
  /** Records a snapshot; keeps about 60 s of them. */
  tick(now: number): void {
    this.times.push(now);
    this.counts.push(this.count);
    while (this.times.length > 2 && now - (this.times[0] as number) > 60_000) {
      this.times.shift();
      this.counts.shift();
    }
  }
  get rate(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const dt = ((this.times[n - 1] as number) - (this.times[0] as number)) / 1000;
    return dt > 0 ? ((this.counts[n - 1] as number) - (this.counts[0] as number)) / dt : 0;
  }
}
