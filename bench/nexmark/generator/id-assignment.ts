/**
 * Which person and auction ids exist at a given event id (the Nexmark spec §1.3, NX
 * `PersonGenerator` / `AuctionGenerator`). All ids here are base-0: add
 * {@link FIRST_PERSON_ID} / {@link FIRST_AUCTION_ID} for the event's field value.
 */
import type { JavaRandom } from './java-random.ts';
import { randLong } from './rand-long.ts';

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
export const NUM_ACTIVE_PEOPLE = 1000;
export const NUM_IN_FLIGHT_AUCTIONS = 100;

/** Id of the last person created at or before `eventId` (base 0). */
export function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** Id of the last auction created at or before `eventId` (base 0). */
export function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch -= 1;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** A random active person (may be up to {@link PERSON_ID_LEAD} ids ahead of the newest). */
export function nextBase0PersonId(eventId: number, random: JavaRandom): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  const n = randLong(random, activePeople + PERSON_ID_LEAD);
  return numPeople - activePeople + n;
}

/** A random in-flight auction (may be up to {@link AUCTION_ID_LEAD} ids ahead of the newest). */
export function nextBase0AuctionId(eventId: number, random: JavaRandom): number {
  const maxAuction = lastBase0AuctionId(eventId);
  const minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
  return minAuction + randLong(random, maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
}
