/** The stateless queries: q0, q1, q2, q14, q21, q22 (one map/filter per bid). */
import { decimalString } from '../canonical.ts';
import type { NexmarkEvent } from '../generator/events.ts';
import { bidTimeType, countChar, splitIndex } from './helpers.ts';
import type { EventSource, LoopQuery, RecordSink } from './types.ts';
import { BATCH_SIZE } from './types.ts';

function forEachBid(
  source: EventSource,
  sink: RecordSink,
  body: (bid: NonNullable<NexmarkEvent['bid']>, sink: RecordSink) => void,
): void {
  const buf: NexmarkEvent[] = [];
  for (let n = source.fill(buf, BATCH_SIZE); n > 0; n = source.fill(buf, BATCH_SIZE)) {
    for (let i = 0; i < n; i++) {
      const bid = (buf[i] as NexmarkEvent).bid;
      if (bid !== null) body(bid, sink);
    }
  }
}

/** q0 pass-through: (auction, bidder, price, dateTime, extra) of every bid. */
export const q0: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) =>
    out({
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      dateTime: b.dateTime,
      extra: b.extra,
    }),
  );

/** q1 currency conversion: as q0 with price = 0.908·price as an exact DECIMAL(23,3) string. */
export const q1: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) =>
    out({
      auction: b.auction,
      bidder: b.bidder,
      price: decimalString(b.price * 908, 3),
      dateTime: b.dateTime,
      extra: b.extra,
    }),
  );

/** q2 selection: (auction, price) where auction % 123 = 0. */
export const q2: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) => {
    if (b.auction % 123 === 0) out({ auction: b.auction, price: b.price });
  });

/** q14 calculation: bids with 10^6 < 0.908·price < 5·10^7, with time-of-day type and 'c' count. */
export const q14: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) => {
    const milli = b.price * 908;
    if (milli > 1_000_000_000 && milli < 50_000_000_000) {
      out({
        auction: b.auction,
        bidder: b.bidder,
        price: decimalString(milli, 3),
        bidTimeType: bidTimeType(b.dateTime),
        dateTime: b.dateTime,
        extra: b.extra,
        c_counts: countChar(b.extra, 'c'),
      });
    }
  });

const CHANNEL_ID = /(&|^)channel_id=([^&]*)/;

/** q21 channel id: '0'–'3' for the four named channels, else REGEXP_EXTRACT of `channel_id`. */
export const q21: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) => {
    let id: string | null;
    switch (b.channel.toLowerCase()) {
      case 'apple':
        id = '0';
        break;
      case 'google':
        id = '1';
        break;
      case 'facebook':
        id = '2';
        break;
      case 'baidu':
        id = '3';
        break;
      default: {
        const m = CHANNEL_ID.exec(b.url);
        id = m === null ? null : (m[2] ?? null);
      }
    }
    if (id !== null) {
      out({
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        channel: b.channel,
        channel_id: id,
      });
    }
  });

/** q22 URL directories: SPLIT_INDEX(url, '/', 3 / 4 / 5). */
export const q22: LoopQuery = (source, sink) =>
  forEachBid(source, sink, (b, out) =>
    out({
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      channel: b.channel,
      dir1: splitIndex(b.url, '/', 3),
      dir2: splitIndex(b.url, '/', 4),
      dir3: splitIndex(b.url, '/', 5),
    }),
  );
