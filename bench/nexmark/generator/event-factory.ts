/** Wraps sub-rows into the one outer {@link NexmarkEvent} shape (fields always in the same order). */
import type { Auction, Bid, NexmarkEvent, Person } from './events.ts';
import { EventType } from './events.ts';

/** A person event. */
export function personEventOf(person: Person): NexmarkEvent {
  return { type: EventType.Person, dateTime: person.dateTime, person, auction: null, bid: null };
}

/** An auction event. */
export function auctionEventOf(auction: Auction): NexmarkEvent {
  return { type: EventType.Auction, dateTime: auction.dateTime, person: null, auction, bid: null };
}

/** A bid event. */
export function bidEventOf(bid: Bid): NexmarkEvent {
  return { type: EventType.Bid, dateTime: bid.dateTime, person: null, auction: null, bid };
}
