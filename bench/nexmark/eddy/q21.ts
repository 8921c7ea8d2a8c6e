/** q21 channel id: '0'–'3' for the four named channels, else REGEXP_EXTRACT of `channel_id`. */
import type { CanonicalRecord } from '../canonical.ts';
import type { NexmarkEvent } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

const CHANNEL_ID = /(&|^)channel_id=([^&]*)/;

function channelId(channel: string, url: string): string | null {
  switch (channel.toLowerCase()) {
    case 'apple':
      return '0';
    case 'google':
      return '1';
    case 'facebook':
      return '2';
    case 'baidu':
      return '3';
    default: {
      const m = CHANNEL_ID.exec(url);
      return m === null ? null : (m[2] ?? null);
    }
  }
}

export const q21: EddyQuery = (events) =>
  events
    .flatMap<CanonicalRecord>((e: NexmarkEvent, out) => {
      const b = e.bid;
      if (b === null) return;
      const id = channelId(b.channel, b.url);
      if (id === null) return;
      out.collect({
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        channel: b.channel,
        channel_id: id,
      } satisfies CanonicalRecord);
    })
    .name('q21');
