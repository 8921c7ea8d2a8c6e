/**
 * q20 expand bid with auction: every bid joined with its auction when the auction is of category
 * 10 (a regular join: bids before their auction wait for it) — a keyed two-input function.
 */
import type { KeyedCoProcessFunction } from '../../../src/core/functions/co-process-function.ts';
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context } from '../../../src/core/functions/context.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Auction, Bid, NexmarkEvent } from '../generator/events.ts';
import { bidWithAuctionRecord } from '../query-records.ts';
import type { EddyQuery } from './eddy-query.ts';

const CATEGORY = 10;

/** Per auction: the auction once seen (`null` when not category 10), or the bids waiting for it. */
type JoinState = { readonly auction: Auction | null } | { readonly pending: Bid[] };

class ExpandBid implements KeyedCoProcessFunction<number, Bid, Auction, CanonicalRecord> {
  private state!: ValueState<JoinState>;
  open(ctx: Context<number>): void {
    this.state = ctx.getState(new ValueStateDescriptor<JoinState>('auction-or-pending-bids'));
  }
  processElement1(b: Bid, _ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const s = this.state.value();
    if (s === undefined) this.state.update({ pending: [b] });
    else if ('pending' in s) {
      s.pending.push(b);
      this.state.update(s);
    } else if (s.auction !== null) out.collect(bidWithAuctionRecord(b, s.auction));
  }
  processElement2(a: Auction, _ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const s = this.state.value();
    const accepted = a.category === CATEGORY;
    if (accepted && s !== undefined && 'pending' in s)
      for (const b of s.pending) out.collect(bidWithAuctionRecord(b, a));
    this.state.update({ auction: accepted ? a : null });
  }
}

export const q20: EddyQuery = (events) => {
  const bids = events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent) => e.bid as Bid)
    .name('bid');
  const auctions = events
    .filter((e: NexmarkEvent) => e.auction !== null)
    .name('auctions')
    .map((e: NexmarkEvent) => e.auction as Auction)
    .name('auction');
  return bids
    .keyBy((b: Bid) => b.auction)
    .connect(auctions.keyBy((a: Auction) => a.id))
    .process(new ExpandBid())
    .name('q20 bids with category-10 auctions');
};
