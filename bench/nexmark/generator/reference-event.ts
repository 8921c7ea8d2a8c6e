/**
 * The generator's TypeScript reference: one event drawn field by field with {@link JavaRandom},
 * as the Java baseline does. The WebAssembly kernel (`event-kernel.ts`) must produce the same
 * events; the tests compare the two (`nexmark-generator.test.ts`).
 */
import { nextAuction } from './auction-generator.ts';
import { nextBid } from './bid-generator.ts';
import { auctionEventOf, bidEventOf, personEventOf } from './event-factory.ts';
import type { NexmarkEvent } from './events.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { interEventDelayUs, timestampForEventNumber } from './generator-config.ts';
import { AUCTION_PROPORTION, PERSON_PROPORTION, TOTAL_PROPORTION } from './id-assignment.ts';
import { JavaRandom } from './java-random.ts';
import { nextPerson } from './person-generator.ts';

const TWO_32 = 0x100000000;

/**
 * Event `k` (from 0) of the split `config`: number `num = firstEventNumber + k` (the adjusted
 * number too, with NX's default out-of-order group size 1), id `firstEventId + num`, time
 * `ts(num)`, fields drawn from `java.util.Random(seed·2^32 + id)` after one discarded draw.
 */
export function referenceEvent(config: GeneratorConfig, k: number): NexmarkEvent {
  const delayUs = interEventDelayUs(config);
  const num = config.firstEventNumber + k;
  const eventId = config.firstEventId + num;
  const timestamp = timestampForEventNumber(config.baseTime, delayUs, num);
  const random = new JavaRandom(0);
  random.reseed(config.seed * TWO_32 + eventId);
  const rem = eventId % TOTAL_PROPORTION;
  if (rem < PERSON_PROPORTION) return personEventOf(nextPerson(eventId, random, timestamp));
  if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) {
    return auctionEventOf(nextAuction(eventId, num, random, timestamp, config.baseTime, delayUs));
  }
  return bidEventOf(nextBid(eventId, random, timestamp));
}
