/**
 * q11 user sessions: bids per bidder in event-time session windows with a 10 s gap, emitted when
 * the session closes with its bid count, start and end (last bid + gap).
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { ProcessWindowContext } from '../../../src/core/functions/process-window-function.ts';
import { EventTimeSessionWindows } from '../../../src/time/windowing/assigners/event-time-session-windows.ts';
import type { TimeWindow } from '../../../src/core/window.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Bid, NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

export const q11: EddyQuery = (events) =>
  events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    // Projected before keyBy, as the tuned Flink job does: only the bidder id crosses threads.
    .map((e: NexmarkEvent) => (e.bid as Bid).bidder)
    .name('bid bidder')
    .keyBy((bidder: number) => bidder)
    .window(EventTimeSessionWindows.withGap(10_000))
    .aggregate(
      {
        createAccumulator: () => 0,
        add: (_bidder: number, n: number) => n + 1,
        getResult: (n: number) => n,
        merge: (a: number, b: number) => a + b,
      },
      (
        bidder: number,
        ctx: ProcessWindowContext<TimeWindow>,
        counts: readonly number[],
        out: Collector<CanonicalRecord>,
      ) =>
        out.collect({
          bidder,
          bid_count: counts[0] as number,
          starttime: ctx.window.start,
          endtime: ctx.window.end,
        }),
    )
    .name('q11 sessions per bidder');
