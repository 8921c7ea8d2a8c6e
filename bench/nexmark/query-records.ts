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

/**
 * A bid with its rank among its auction's top bids, as q19 outputs it. Written out rather than
 * spread from {@link bidRecord}, for the reason {@link bidWithAuctionRecord} gives.
 */
export function rankedBidRecord(b: Bid, rank: number): CanonicalRecord {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price,
    channel: b.channel,
    url: b.url,
    dateTime: b.dateTime,
    extra: b.extra,
    rank_number: rank,
  };
}

/**
 * A bid joined with its auction, as q20 outputs it. The bid's fields are written out, not spread
 * from {@link bidRecord}: a spread of 7 fields followed by 9 more went through V8's generic
 * property-adding path — 45 % of q20's CPU and most of its 30 % of garbage collection (profile of
 * `eddy bench nexmark --query q20`).
 */
export function bidWithAuctionRecord(b: Bid, a: Auction): CanonicalRecord {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price,
    channel: b.channel,
    url: b.url,
    dateTime: b.dateTime,
    extra: b.extra,
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
