/**
 * Windows: a time interval `[start, end)` or the single global window. A window is identified in
 * keyed state by its namespace string, so its contents and timers live in the operator's state
 * backend and are covered by checkpoints.
 *
 * @module
 */

/** A window of a keyed (or non-keyed) stream. */
export interface Window {
  /** The largest timestamp that belongs to the window (`end - 1` for time windows). */
  maxTimestamp(): number;
  /** Identifies the window in state and timers. */
  readonly namespace: string;
}

/**
 * A time window `[start, end)`: `start` inclusive, `end` exclusive (a record at `end` belongs to
 * the next window). Emitted results carry the timestamp `end - 1`.
 */
export class TimeWindow implements Window {
  /** Identifies the window in state and timers (`start:end`). */
  readonly namespace: string;
  constructor(
    /** First millisecond of the window (inclusive). */
    readonly start: number,
    /** End of the window (exclusive). */
    readonly end: number,
  ) {
    this.namespace = `${start}:${end}`;
  }
  maxTimestamp(): number {
    return this.end - 1;
  }
  /** Whether the two windows overlap or touch (session windows merge then, as in Flink). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }
  /** The smallest window covering both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }
  toJSON(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }
  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of size `size` (aligned to `offset`) that contains `timestamp`
   * (Flink's `TimeWindow.getWindowStartWithOffset`).
   */
  static startOf(timestamp: number, offset: number, size: number): number {
    const r = (timestamp - offset) % size;
    return r < 0 ? timestamp - (r + size) : timestamp - r;
  }
}

/** The one window of {@link GlobalWindows}: it never ends, so only a custom trigger fires it. */
export class GlobalWindow implements Window {
  /** The single instance. */
  static readonly INSTANCE = new GlobalWindow();
  readonly namespace = 'global';
  private constructor() {}
  maxTimestamp(): number {
    return Number.POSITIVE_INFINITY;
  }
  toJSON(): string {
    return 'GlobalWindow';
  }
}

/** Recreates a window from its namespace (timers carry only the namespace). */
export function windowFromNamespace(namespace: string | number | undefined): Window {
  if (namespace === 'global') return GlobalWindow.INSTANCE;
  const s = String(namespace);
  const i = s.indexOf(':');
  return new TimeWindow(Number(s.slice(0, i)), Number(s.slice(i + 1)));
}
