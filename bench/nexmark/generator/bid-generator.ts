/** Bid fields (the Nexmark spec §1.5 "Bid", NX `BidGenerator`). */
import {
  CHANNELS_NUMBER,
  HOT_CHANNELS,
  HOT_CHANNELS_RATIO,
  HOT_URLS,
  channelName,
  channelUrl,
} from './channel-cache.ts';
import type { Bid } from './events.ts';
import {
  FIRST_AUCTION_ID,
  FIRST_PERSON_ID,
  lastBase0AuctionId,
  lastBase0PersonId,
  nextBase0AuctionId,
  nextBase0PersonId,
} from './id-assignment.ts';
import type { JavaRandom } from './java-random.ts';
import { nextPrice } from './price.ts';
import { nextExtra } from './strings.ts';

const AVG_BID_BYTE_SIZE = 100;
const HOT_AUCTION_RATIO_CONFIG = 2;
const HOT_BIDDERS_RATIO_CONFIG = 4;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;

/**
 * Generates the bid of event `eventId` stamped `timestamp`. As NX does (since `8ff9866`),
 * `FIRST_PERSON_ID` is added to the bidder twice.
 */
export function nextBid(eventId: number, random: JavaRandom, timestamp: number): Bid {
  let auction: number;
  if (random.nextIntBounded(HOT_AUCTION_RATIO_CONFIG) > 0) {
    auction = Math.floor(lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
  } else {
    auction = nextBase0AuctionId(eventId, random);
  }
  auction += FIRST_AUCTION_ID;
  let bidder: number;
  if (random.nextIntBounded(HOT_BIDDERS_RATIO_CONFIG) > 0) {
    bidder = Math.floor(lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
  } else {
    bidder = nextBase0PersonId(eventId, random);
  }
  bidder += FIRST_PERSON_ID;
  const price = nextPrice(random);
  let channel: string;
  let url: string;
  if (random.nextIntBounded(HOT_CHANNELS_RATIO) > 0) {
    const i = random.nextIntBounded(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i] as string;
    url = HOT_URLS[i] as string;
  } else {
    const c = random.nextIntBounded(CHANNELS_NUMBER);
    channel = channelName(c);
    url = channelUrl(c);
  }
  bidder += FIRST_PERSON_ID;
  const extra = nextExtra(random, 8 + 8 + 8 + 8, AVG_BID_BYTE_SIZE);
  return { auction, bidder, price, channel, url, dateTime: timestamp, extra };
}
