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

/** The person fields q8 emits (projected before the coGroup, as the tuned Flink job does). */
interface NewPerson {
  readonly id: number;
  readonly name: string;
  readonly dateTime: number;
}

export const q8: EddyQuery = (events) => {
  const persons = events
    .filter((e: NexmarkEvent) => e.person !== null)
    .name('persons')
    .map((e: NexmarkEvent): NewPerson => {
      const p = e.person as Person;
      return { id: p.id, name: p.name, dateTime: p.dateTime };
    })
    .name('person');
  // Only the seller of an auction matters: less state per window, less to cross threads at P > 1.
  const sellers = events
    .filter((e: NexmarkEvent) => e.auction !== null)
    .name('auctions')
    .map((e: NexmarkEvent) => (e.auction as Auction).seller)
    .name('seller');
  return persons
    .coGroup(sellers)
    .where((p: NewPerson) => p.id)
    .equalTo((seller: number) => seller)
    .window(TumblingEventTimeWindows.of(TUMBLE))
    .apply((ps: readonly NewPerson[], ss: readonly number[], out: Collector<CanonicalRecord>) => {
      if (ss.length === 0) return;
      for (const p of ps) {
        out.collect({ id: p.id, name: p.name, starttime: p.dateTime - (p.dateTime % TUMBLE) });
      }
    })
    .name('q8 new sellers');
};
