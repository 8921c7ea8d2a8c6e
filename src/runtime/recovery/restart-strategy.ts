/**
 * Restart strategies: after a failure, how long to wait before restarting the job from its latest
 * checkpoint, or whether to give up.
 *
 * @module
 */
import type { EnvironmentOptions, RestartStrategyOptions } from '../../core/environment-options.ts';
import { toMillis } from '../../util/duration.ts';

/** Decides about restarts; one instance lives as long as the job. */
export interface RestartStrategy {
  /** The delay before the next restart after a failure at `now`, or undefined to give up. */
  onFailure(now: number): number | undefined;
}

/** The strategy the options ask for (exponential backoff with checkpointing, none without). */
export function createRestartStrategy(
  options: EnvironmentOptions,
  random: () => number = Math.random,
): RestartStrategy {
  const spec: RestartStrategyOptions =
    options.restartStrategy ??
    (options.checkpointInterval !== undefined ? { type: 'exponential-backoff' } : { type: 'none' });
  switch (spec.type) {
    case 'none':
      return { onFailure: () => undefined };
    case 'fixed-delay': {
      const delay = toMillis(spec.delay ?? '1s', 'restartStrategy.delay');
      let used = 0;
      return { onFailure: () => (used++ < spec.attempts ? delay : undefined) };
    }
    case 'failure-rate': {
      const delay = toMillis(spec.delay ?? '1s', 'restartStrategy.delay');
      const interval = toMillis(spec.interval, 'restartStrategy.interval');
      const failures: number[] = [];
      return {
        onFailure(now) {
          failures.push(now);
          while (failures.length > 0 && (failures[0] as number) <= now - interval) failures.shift();
          return failures.length > spec.maxFailures ? undefined : delay;
        },
      };
    }
    case 'exponential-backoff': {
      const initial = toMillis(spec.initialDelay ?? '1s', 'restartStrategy.initialDelay');
      const max = toMillis(spec.maxDelay ?? '5m', 'restartStrategy.maxDelay');
      const multiplier = spec.multiplier ?? 1.5;
      const jitter = spec.jitter ?? 0.1;
      const resetAfter = toMillis(spec.resetAfter ?? '1h', 'restartStrategy.resetAfter');
      const attempts = spec.attempts ?? Number.POSITIVE_INFINITY;
      let current = initial;
      let last = Number.NEGATIVE_INFINITY;
      let used = 0;
      return {
        onFailure(now) {
          if (used++ >= attempts) return undefined;
          // A long quiet period means the last failure was not part of a crash loop.
          if (now - last >= resetAfter) current = initial;
          else current = Math.min(max, current * multiplier);
          last = now;
          const j = current * jitter * (random() * 2 - 1);
          return Math.max(0, Math.round(current + j));
        },
      };
    }
  }
}
