/**
 * q4 average price per category: per auction the max price of its bids within
 * [dateTime, expires] (a keyed join of bids and auctions), then per category the truncated
 * average of those maxima — final values, fired by an event-time timer at the end of input.
 */
import type { KeyedCoProcessFunction } from '../../../src/core/functions/co-process-function.ts';
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context } from '../../../src/core/functions/context.ts';
import type { KeyedProcessFunction } from '../../../src/core/functions/process-function.ts';
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Auction, Bid, NexmarkEvent } from '../generator/events.ts';
import { END_OF_TIME, type EddyQuery } from './eddy-query.ts';

interface WinningBid {
  readonly category: number;
  readonly price: number;
}

/** The bid fields q4 reads (projected before keyBy, as the tuned Flink job does). */
interface BidPrice {
  readonly auction: number;
  readonly price: number;
  readonly dateTime: number;
}

/** The auction fields q4 reads. */
interface AuctionSpan {
  readonly id: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly category: number;
}

interface AuctionState {
  auction: AuctionSpan | null;
  max: number;
  pending: BidPrice[] | null;
}

function offer(s: AuctionState, a: AuctionSpan, b: BidPrice): void {
  if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && b.price > s.max) s.max = b.price;
}

class MaxBidPerAuction implements KeyedCoProcessFunction<
  number,
  BidPrice,
  AuctionSpan,
  WinningBid
> {
  private state!: ValueState<AuctionState>;

  open(ctx: Context<number>): void {
    this.state = ctx.getState(new ValueStateDescriptor<AuctionState>('auction'));
  }

  processElement1(b: BidPrice, _ctx: Context<number>): void {
    const s = this.state.value();
    if (s === undefined) this.state.update({ auction: null, max: -1, pending: [b] });
    else if (s.auction !== null) offer(s, s.auction, b);
    else (s.pending ??= []).push(b);
  }

  processElement2(a: AuctionSpan, ctx: Context<number>): void {
    const s = this.state.value();
    if (s === undefined) this.state.update({ auction: a, max: -1, pending: null });
    else {
      s.auction = a;
      if (s.pending !== null) for (const pb of s.pending) offer(s, a, pb);
      s.pending = null;
    }
    ctx.timerService().registerEventTimeTimer(END_OF_TIME);
  }

  onTimer(_t: number, _ctx: Context<number>, out: Collector<WinningBid>): void {
    const s = this.state.value();
    if (s?.auction != null && s.max >= 0)
      out.collect({ category: s.auction.category, price: s.max });
    this.state.clear();
  }
}

interface Average {
  sum: number;
  count: number;
}

class AveragePerCategory implements KeyedProcessFunction<number, WinningBid, CanonicalRecord> {
  private state!: ValueState<Average>;

  open(ctx: Context<number>): void {
    this.state = ctx.getState(new ValueStateDescriptor<Average>('average'));
  }

  processElement(w: WinningBid, ctx: Context<number>): void {
    const s = this.state.value();
    if (s === undefined) {
      this.state.update({ sum: w.price, count: 1 });
      ctx.timerService().registerEventTimeTimer(END_OF_TIME);
    } else {
      s.sum += w.price;
      s.count++;
    }
  }

  onTimer(_t: number, ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const s = this.state.value();
    if (s !== undefined)
      out.collect({ category: ctx.getCurrentKey(), avg: Math.floor(s.sum / s.count) });
  }
}

export const q4: EddyQuery = (events) => {
  const bids = events
    .filter((e: NexmarkEvent) => e.bid !== null)
    .name('bids')
    .map((e: NexmarkEvent): BidPrice => {
      const b = e.bid as Bid;
      return { auction: b.auction, price: b.price, dateTime: b.dateTime };
    })
    .name('bid price');
  const auctions = events
    .filter((e: NexmarkEvent) => e.auction !== null)
    .name('auctions')
    .map((e: NexmarkEvent): AuctionSpan => {
      const a = e.auction as Auction;
      return { id: a.id, dateTime: a.dateTime, expires: a.expires, category: a.category };
    })
    .name('auction span');
  return bids
    .connect(auctions)
    .keyBy(
      (b: BidPrice) => b.auction,
      (a: AuctionSpan) => a.id,
    )
    .process(new MaxBidPerAuction())
    .name('max bid per auction')
    .keyBy((w: WinningBid) => w.category)
    .process(new AveragePerCategory())
    .name('q4 average per category');
};
