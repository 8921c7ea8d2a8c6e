import { toMillis, type Duration } from '../util/duration.ts';
import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput } from '../core/watermark.ts';

/**
 * How a source or stream assigns event timestamps and generates watermarks.
 *
 * @example
 * ```ts
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>('5s')
 *   .withTimestampAssigner((click) => click.ts)
 *   .withIdleness('1m');
 * env.fromSource(clicks, strategy, 'clicks');
 * ```
 */
export class WatermarkStrategy<T> {
  private constructor(
    /** Creates one generator per split or stream. */
    readonly createGenerator: () => WatermarkGenerator<T>,
    /** Extracts timestamps; without one, the source's own timestamps are used. */
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    /** After this many ms without records, an input is idle (does not hold back watermarks). */
    readonly idlenessMs: number | undefined,
    /** A description for the plan. */
    readonly description: Readonly<Record<string, unknown>>,
  ) {
    Object.freeze(this);
  }

  /** Watermarks trail the largest timestamp seen by `maxOutOfOrderness` (minus 1 ms, as in Flink). */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: Duration): WatermarkStrategy<T> {
    const bound = toMillis(maxOutOfOrderness, 'maxOutOfOrderness');
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessGenerator<T>(bound),
      undefined,
      undefined,
      {
        kind: 'boundedOutOfOrderness',
        maxOutOfOrdernessMs: bound,
      },
    );
  }

  /** Timestamps only ever increase: the watermark is the largest timestamp seen (minus 1 ms). */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessGenerator<T>(0),
      undefined,
      undefined,
      {
        kind: 'monotonous',
      },
    );
  }

  /** No watermarks: event-time windows and timers fire only at the end of bounded input. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(
      () => ({ onEvent: () => {}, onPeriodicEmit: () => {} }),
      undefined,
      undefined,
      { kind: 'none' },
    );
  }

  /** A custom periodic or punctuated generator. */
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined, undefined, { kind: 'custom' });
  }

  /** Returns a copy that takes event timestamps from `assigner`. */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createGenerator, assigner, this.idlenessMs, {
      ...this.description,
      timestampAssigner: true,
    });
  }

  /** Returns a copy that marks an input idle after `timeout` without records. */
  withIdleness(timeout: Duration): WatermarkStrategy<T> {
    const ms = toMillis(timeout, 'idleness timeout');
    return new WatermarkStrategy<T>(this.createGenerator, this.timestampAssigner, ms, {
      ...this.description,
      idlenessMs: ms,
    });
  }
}

/** Flink's BoundedOutOfOrdernessWatermarks: watermark = max timestamp − bound − 1. */
class BoundedOutOfOrdernessGenerator<T> implements WatermarkGenerator<T> {
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  constructor(private readonly bound: number) {}
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== Number.NEGATIVE_INFINITY)
      output.emitWatermark(this.maxTimestamp - this.bound - 1);
  }
}
