/**
 * A processing-time clock that moves only when a test says so.
 *
 * @module
 */
import type { ProcessingTimeService } from '../core/environment-options.ts';
import { userError } from '../errors/eddy-error.ts';

interface Scheduled {
  readonly time: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A virtual {@link ProcessingTimeService}: `now()` returns what the test set, and scheduled work
 * (processing-time timers, periodic watermarks) runs synchronously inside {@link ManualClock.advanceTo},
 * in time order, with `now()` equal to each callback's scheduled time while it runs — so a timer
 * that registers the next one relative to `now()` behaves as it would on the wall clock.
 *
 * Pass it as `StreamEnvironment.create({ processingTimeService: clock })`; harnesses and
 * `runPipeline` create one for you.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(1_000);
 * clock.schedule(1_500, () => console.log('fired at', clock.now()));
 * clock.advanceTo(2_000); // prints "fired at 1500"; clock.now() is now 2000
 * ```
 */
export class ManualClock implements ProcessingTimeService {
  private current: number;
  private queue: Scheduled[] = [];
  private seq = 0;

  /** Starts the clock at `start` milliseconds (default 0). */
  constructor(start = 0) {
    this.current = start;
  }

  /** The current virtual time in milliseconds. */
  now(): number {
    return this.current;
  }

  /** Runs `callback` once the clock reaches `time`; returns a cancel function. */
  schedule(time: number, callback: () => void): () => void {
    const entry: Scheduled = { time, seq: this.seq++, callback, cancelled: false };
    // Keep the queue sorted by (time, seq); queues in tests are short, so insertion is enough.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1] as Scheduled).time > time) i--;
    this.queue.splice(i, 0, entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /**
   * Moves the clock to `time`, running everything scheduled up to it in time order. Errors thrown
   * by scheduled work propagate to the caller. Moving backwards is an error.
   */
  advanceTo(time: number): void {
    if (time < this.current) {
      throw userError(
        'INVALID_ARGUMENT',
        `processing time cannot go backwards (from ${this.current} to ${time})`,
        { hint: 'set processing time to a value at or after the current one' },
      );
    }
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || next.time > time) break;
      this.queue.shift();
      if (next.cancelled) continue;
      if (next.time > this.current) this.current = next.time;
      next.callback();
    }
    this.current = time;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Number of scheduled callbacks not yet run or cancelled. */
  get pending(): number {
    let n = 0;
    for (const e of this.queue) if (!e.cancelled) n++;
    return n;
  }
}
