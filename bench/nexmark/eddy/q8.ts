/**
 * q8 monitor new users: persons who opened an auction in the same 10 s tumbling window in which
 * they registered — a window coGroup of persons (by id) and auctions (by seller), emitting each
 * such person once per window with the window's start.
 */
import type { Collector } from '../../../src/core/functions/collector.ts';
import { TumblingEventTimeWindows } from '../../../src/time/windowing/assigners/tumbling-event-time-windows.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Auction, NexmarkEvent, Person } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

const TUMBLE = 10_000;

export const q8: EddyQuery = (events) => {
  const persons = events
    .filter((e: NexmarkEvent) => e.person !== null)
    .name('persons')
    .map((e: NexmarkEvent) => e.person as Person)
    .name('person');
  const auctions = events
    .filter((e: NexmarkEvent) => e.auction !== null)
    .name('auctions')
    .map((e: NexmarkEvent) => e.auction as Auction)
    .name('auction');
  return persons
    .coGroup(auctions)
    .where((p: Person) => p.id)
    .equalTo((a: Auction) => a.seller)
    .window(TumblingEventTimeWindows.of(TUMBLE))
    .apply((ps: readonly Person[], as: readonly Auction[], out: Collector<CanonicalRecord>) => {
      if (as.length === 0) return;
      for (const p of ps) {
        out.collect({ id: p.id, name: p.name, starttime: p.dateTime - (p.dateTime % TUMBLE) });
      }
    })
    .name('q8 new sellers');
};
