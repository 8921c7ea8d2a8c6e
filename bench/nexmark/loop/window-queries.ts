/** The windowed queries: q5 (sliding), q7 and q8 (tumbling), q11 (session), q12 (processing time). */
import type { Bid, NexmarkEvent, Person } from '../generator/events.ts';
import type { EventSource, LoopQuery } from './types.ts';
import { BATCH_SIZE, WATERMARK_DELAY_MS } from './types.ts';

/**
 * Reads `source` in batches, calling `onEvent` per event and `onWatermark(wm)` after each batch
 * with wm = max dateTime − 4 s, then `onWatermark(Infinity)` at the end of input.
 */
function withWatermarks(
  source: EventSource,
  onEvent: (e: NexmarkEvent) => void,
  onWatermark: (watermark: number) => void,
): void {
  const buf: NexmarkEvent[] = [];
  let maxTs = -Infinity;
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const e = buf[i] as NexmarkEvent;
      if (e.dateTime > maxTs) maxTs = e.dateTime;
      onEvent(e);
    }
    onWatermark(maxTs - WATERMARK_DELAY_MS);
  }
  onWatermark(Infinity);
}

const Q5_SIZE = 10_000;
const Q5_SLIDE = 2_000;

/** q5 hot items: per HOP(2 s, 10 s) window the auctions with the most bids (ties kept). */
export const q5: LoopQuery = (source, sink) => {
  const windows = new Map<number, Map<number, number>>();
  withWatermarks(
    source,
    (e) => {
      const b = e.bid;
      if (b === null) return;
      const ts = b.dateTime;
      for (let start = ts - (ts % Q5_SLIDE); start > ts - Q5_SIZE; start -= Q5_SLIDE) {
        let counts = windows.get(start);
        if (counts === undefined) {
          counts = new Map();
          windows.set(start, counts);
        }
        counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
      }
    },
    (wm) => {
      for (const [start, counts] of windows) {
        if (start + Q5_SIZE - 1 > wm) continue;
        windows.delete(start);
        let max = 0;
        for (const c of counts.values()) if (c > max) max = c;
        for (const [auction, num] of counts) if (num === max) sink({ auction, num });
      }
    },
  );
};

const TUMBLE = 10_000;

interface Q7Window {
  max: number;
  atMax: Bid[];
  boundary: Bid[];
}

/**
 * q7 highest bid: bids whose price is the max of a tumbling 10 s window [s, s + 10 s) and whose
 * time is in [s, s + 10 s] (BETWEEN is inclusive: a bid at exactly s + 10 s also matches).
 */
export const q7: LoopQuery = (source, sink) => {
  const windows = new Map<number, Q7Window>();
  const get = (start: number): Q7Window => {
    let w = windows.get(start);
    if (w === undefined) {
      w = { max: -1, atMax: [], boundary: [] };
      windows.set(start, w);
    }
    return w;
  };
  const emit = (b: Bid): void =>
    sink({
      auction: b.auction,
      price: b.price,
      bidder: b.bidder,
      dateTime: b.dateTime,
      extra: b.extra,
    });
  withWatermarks(
    source,
    (e) => {
      const b = e.bid;
      if (b === null) return;
      const start = b.dateTime - (b.dateTime % TUMBLE);
      const w = get(start);
      if (b.price > w.max) {
        w.max = b.price;
        w.atMax = [b];
      } else if (b.price === w.max) w.atMax.push(b);
      if (start === b.dateTime) get(start - TUMBLE).boundary.push(b);
    },
    (wm) => {
      // Fires at s + 10 s (not s + 10 s − 1) so that every bid at exactly s + 10 s has arrived.
      for (const [start, w] of windows) {
        if (start + TUMBLE > wm) continue;
        windows.delete(start);
        if (w.max < 0) continue;
        for (const b of w.atMax) emit(b);
        for (const b of w.boundary) if (b.price === w.max) emit(b);
      }
    },
  );
};

interface Q8Window {
  readonly persons: Person[];
  readonly sellers: Set<number>;
}

/** q8 monitor new users: persons who opened an auction in the same tumbling 10 s window. */
export const q8: LoopQuery = (source, sink) => {
  const windows = new Map<number, Q8Window>();
  const get = (start: number): Q8Window => {
    let w = windows.get(start);
    if (w === undefined) {
      w = { persons: [], sellers: new Set() };
      windows.set(start, w);
    }
    return w;
  };
  withWatermarks(
    source,
    (e) => {
      if (e.person !== null) get(e.dateTime - (e.dateTime % TUMBLE)).persons.push(e.person);
      else if (e.auction !== null)
        get(e.dateTime - (e.dateTime % TUMBLE)).sellers.add(e.auction.seller);
    },
    (wm) => {
      for (const [start, w] of windows) {
        if (start + TUMBLE - 1 > wm) continue;
        windows.delete(start);
        for (const p of w.persons) {
          if (w.sellers.has(p.id)) sink({ id: p.id, name: p.name, starttime: start });
        }
      }
    },
  );
};

const SESSION_GAP = 10_000;
/** Sessions are swept for expiry every this many batches (they are also closed lazily). */
const SWEEP_EVERY = 64;

interface Session {
  start: number;
  last: number;
  count: number;
}

/**
 * q11 user sessions: per bidder, sessions with a 10 s gap (events at most 10 s apart merge, as
 * Flink's session windows [t, t + gap) do); outputs count, start and end = last + gap.
 */
export const q11: LoopQuery = (source, sink) => {
  const sessions = new Map<number, Session>();
  const emit = (bidder: number, s: Session): void =>
    sink({ bidder, bid_count: s.count, starttime: s.start, endtime: s.last + SESSION_GAP });
  let batches = 0;
  withWatermarks(
    source,
    (e) => {
      const b = e.bid;
      if (b === null) return;
      const s = sessions.get(b.bidder);
      if (s === undefined) {
        sessions.set(b.bidder, { start: b.dateTime, last: b.dateTime, count: 1 });
      } else if (b.dateTime <= s.last + SESSION_GAP) {
        if (b.dateTime > s.last) s.last = b.dateTime;
        s.count++;
      } else {
        emit(b.bidder, s);
        s.start = b.dateTime;
        s.last = b.dateTime;
        s.count = 1;
      }
    },
    (wm) => {
      if (wm !== Infinity && ++batches % SWEEP_EVERY !== 0) return;
      for (const [bidder, s] of sessions) {
        if (s.last + SESSION_GAP - 1 > wm) continue;
        sessions.delete(bidder);
        emit(bidder, s);
      }
    },
  );
};

interface ProcWindow {
  start: number;
  count: number;
}

/**
 * q12 processing-time windows: per bidder, bids counted in tumbling 10 s windows of the wall
 * clock (read once per batch); open windows are emitted at end of input. Its output depends on
 * timing: compare per-bidder totals only ({@link comparableLines}).
 */
export const q12: LoopQuery = (source, sink) => {
  const windows = new Map<number, ProcWindow>();
  const emit = (bidder: number, w: ProcWindow): void =>
    sink({ bidder, bid_count: w.count, starttime: w.start, endtime: w.start + TUMBLE });
  const buf: NexmarkEvent[] = [];
  let current = -1;
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    const now = Date.now();
    const start = now - (now % TUMBLE);
    if (start !== current) {
      for (const [bidder, w] of windows) emit(bidder, w);
      windows.clear();
      current = start;
    }
    for (let i = 0; i < n; i++) {
      const b = (buf[i] as NexmarkEvent).bid;
      if (b === null) continue;
      const w = windows.get(b.bidder);
      if (w === undefined) windows.set(b.bidder, { start, count: 1 });
      else w.count++;
    }
  }
  for (const [bidder, w] of windows) emit(bidder, w);
};
