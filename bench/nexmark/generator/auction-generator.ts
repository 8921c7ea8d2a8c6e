/** Auction fields (the Nexmark spec §1.5 "Auction", NX `AuctionGenerator`). */
import type { Auction } from './events.ts';
import {
  AUCTION_PROPORTION,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  NUM_CATEGORIES,
  NUM_IN_FLIGHT_AUCTIONS,
  TOTAL_PROPORTION,
  lastBase0AuctionId,
  lastBase0PersonId,
  nextBase0PersonId,
} from './id-assignment.ts';
import type { JavaRandom } from './java-random.ts';
import { timestampForEventNumber } from './generator-config.ts';
import { nextPrice } from './price.ts';
import { randLong } from './rand-long.ts';
import { nextExtra, nextString } from './strings.ts';

const AVG_AUCTION_BYTE_SIZE = 500;
const HOT_SELLERS_RATIO = 4;
const HOT_SELLER_RATIO = 100;
/** Events until {@link NUM_IN_FLIGHT_AUCTIONS} more auctions exist: ⌊100·50/3⌋ = 1666. */
const NUM_EVENTS_FOR_AUCTIONS = Math.floor(
  (NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION,
);

/**
 * Generates the auction of event `eventId` stamped `timestamp`. `adjustedEventNumber` is the
 * event's adjusted number; `baseTime` and `delayUs` give other events' times (for `expires`).
 */
export function nextAuction(
  eventId: number,
  adjustedEventNumber: number,
  random: JavaRandom,
  timestamp: number,
  baseTime: number,
  delayUs: number,
): Auction {
  const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
  let seller: number;
  if (random.nextIntBounded(HOT_SELLERS_RATIO) > 0) {
    seller = Math.floor(lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
  } else {
    seller = nextBase0PersonId(eventId, random);
  }
  seller += FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + random.nextIntBounded(NUM_CATEGORIES);
  const initialBid = nextPrice(random);
  const futureAuction = timestampForEventNumber(
    baseTime,
    delayUs,
    adjustedEventNumber + NUM_EVENTS_FOR_AUCTIONS,
  );
  const horizonMs = futureAuction - timestamp;
  const expires = timestamp + 1 + randLong(random, Math.max(horizonMs * 2, 1));
  const itemName = nextString(random, 20);
  const description = nextString(random, 100);
  const reserve = initialBid + nextPrice(random);
  const currentSize = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(random, currentSize, AVG_AUCTION_BYTE_SIZE);
  return {
    id,
    itemName,
    description,
    initialBid,
    reserve,
    dateTime: timestamp,
    expires,
    seller,
    category,
    extra,
  };
}
