import type { ProcessingTimeService } from '../core/environment-options.ts';

/** The real clock: `Date.now()` and `setTimeout`. Timers do not keep the process alive by themselves. */
export const wallClock: ProcessingTimeService = {
  now: () => Date.now(),
  schedule(time, callback) {
    const handle = setTimeout(callback, Math.max(0, time - Date.now()));
    return () => clearTimeout(handle);
  },
};
