/**
 * Output records that several implementations of a query build the same way (the loop baselines
 * and the Eddy queries), so both emit identical canonical lines.
 */
import type { CanonicalRecord } from './canonical.ts';
import type { Auction, Bid } from './generator/events.ts';

/** A bid as q18/q19 output it. */
export function bidRecord(b: Bid): CanonicalRecord {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price,
    channel: b.channel,
    url: b.url,
    dateTime: b.dateTime,
    extra: b.extra,
  };
}

/** A bid joined with its auction, as q20 outputs it. */
export function bidWithAuctionRecord(b: Bid, a: Auction): CanonicalRecord {
  return {
    ...bidRecord(b),
    itemName: a.itemName,
    description: a.description,
    initialBid: a.initialBid,
    reserve: a.reserve,
    auctionDateTime: a.dateTime,
    expires: a.expires,
    seller: a.seller,
    category: a.category,
    auctionExtra: a.extra,
  };
}
