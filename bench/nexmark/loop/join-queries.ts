/** The regular (non-windowed) joins: q3, q4 and q20. Ids of persons and auctions are unique. */
import { bidWithAuctionRecord } from '../query-records.ts';
import type { Auction, Bid, NexmarkEvent, Person } from '../generator/events.ts';
import type { LoopQuery } from './types.ts';
import { BATCH_SIZE } from './types.ts';

/** q3 local item suggestion: auction(category 10) ⋈ person(state OR/ID/CA) on seller = id. */
export const q3: LoopQuery = (source, sink) => {
  const persons = new Map<number, Person>();
  const waiting = new Map<number, number[]>();
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const e = buf[i] as NexmarkEvent;
      const a = e.auction;
      if (a !== null) {
        if (a.category !== 10) continue;
        const p = persons.get(a.seller);
        if (p !== undefined) sink({ name: p.name, city: p.city, state: p.state, id: a.id });
        else {
          const list = waiting.get(a.seller);
          if (list === undefined) waiting.set(a.seller, [a.id]);
          else list.push(a.id);
        }
        continue;
      }
      const p = e.person;
      if (p !== null && (p.state === 'OR' || p.state === 'ID' || p.state === 'CA')) {
        const list = waiting.get(p.id);
        if (list !== undefined) {
          for (const id of list) sink({ name: p.name, city: p.city, state: p.state, id });
          waiting.delete(p.id);
        }
        persons.set(p.id, p);
      }
    }
  }
};

interface Q4State {
  auction: Auction | null;
  max: number;
  pending: Bid[] | null;
}

/**
 * q4 average price per category: per auction the max price of its bids within
 * [dateTime, expires], then per category the (truncated integer) average of those maxima — the
 * final values, emitted at end of input.
 */
export const q4: LoopQuery = (source, sink) => {
  const states = new Map<number, Q4State>();
  const offer = (s: Q4State, a: Auction, b: Bid): void => {
    if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && b.price > s.max) s.max = b.price;
  };
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const e = buf[i] as NexmarkEvent;
      const b = e.bid;
      if (b !== null) {
        let s = states.get(b.auction);
        if (s === undefined) {
          s = { auction: null, max: -1, pending: [b] };
          states.set(b.auction, s);
        } else if (s.auction !== null) offer(s, s.auction, b);
        else (s.pending ??= []).push(b);
        continue;
      }
      const a = e.auction;
      if (a !== null) {
        let s = states.get(a.id);
        if (s === undefined) {
          s = { auction: a, max: -1, pending: null };
          states.set(a.id, s);
        } else {
          s.auction = a;
          if (s.pending !== null) for (const pb of s.pending) offer(s, a, pb);
          s.pending = null;
        }
      }
    }
  }
  const perCategory = new Map<number, { sum: number; count: number }>();
  for (const s of states.values()) {
    if (s.auction === null || s.max < 0) continue;
    const c = perCategory.get(s.auction.category);
    if (c === undefined) perCategory.set(s.auction.category, { sum: s.max, count: 1 });
    else {
      c.sum += s.max;
      c.count++;
    }
  }
  for (const [category, c] of perCategory) sink({ category, avg: Math.floor(c.sum / c.count) });
};

interface Q20State {
  auction: Auction | null;
  rejected: boolean;
  pending: Bid[] | null;
}

/** q20 expand bid: bid ⋈ auction on bid.auction = auction.id where category = 10, all columns. */
export const q20: LoopQuery = (source, sink) => {
  const states = new Map<number, Q20State>();
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const e = buf[i] as NexmarkEvent;
      const b = e.bid;
      if (b !== null) {
        const s = states.get(b.auction);
        if (s === undefined)
          states.set(b.auction, { auction: null, rejected: false, pending: [b] });
        else if (s.auction !== null) sink(bidWithAuctionRecord(b, s.auction));
        else if (!s.rejected) (s.pending ??= []).push(b);
        continue;
      }
      const a = e.auction;
      if (a !== null) {
        const s = states.get(a.id);
        const accepted = a.category === 10;
        if (accepted && s !== undefined && s.pending !== null) {
          for (const pb of s.pending) sink(bidWithAuctionRecord(pb, a));
        }
        states.set(a.id, { auction: accepted ? a : null, rejected: !accepted, pending: null });
      }
    }
  }
};
