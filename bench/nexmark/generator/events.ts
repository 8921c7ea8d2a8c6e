/**
 * The Nexmark event model (the Nexmark spec §1.1), as plain, structured-cloneable data.
 *
 * Every event has the same outer shape, {@link NexmarkEvent}: a `type` discriminator, the event
 * time `dateTime` (epoch milliseconds, UTC) and three sub-row slots of which exactly the one
 * matching `type` is non-null — the shape of Nexmark's union stream `datagen(event_type, person,
 * auction, bid)`. Keeping one shape for all events keeps consumers' property accesses monomorphic.
 * Ids, prices and times are integers held in `number` (all stay below 2^53).
 */

/** Event type codes, as Nexmark's `event_type` column: 0 = person, 1 = auction, 2 = bid. */
export const EventType = { Person: 0, Auction: 1, Bid: 2 } as const;
/** One of {@link EventType}'s values. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** A new person registering (2% of events). */
export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** A new auction opening (6% of events). */
export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

/** A bid on an auction (92% of events). */
export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** One element of the Nexmark union stream; exactly the slot named by `type` is non-null. */
export interface NexmarkEvent {
  readonly type: EventType;
  /** Event time in epoch milliseconds (equals the sub-row's `dateTime`). */
  readonly dateTime: number;
  readonly person: Person | null;
  readonly auction: Auction | null;
  readonly bid: Bid | null;
}
