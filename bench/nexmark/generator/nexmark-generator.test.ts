import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { canonicalEvent } from '../canonical.ts';
import type { NexmarkEvent } from './events.ts';
import { EventType } from './events.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { createConfig, splitConfig } from './generator-config.ts';
import { InterleavedGenerator } from './interleaved-generator.ts';
import { NexmarkGenerator } from './nexmark-generator.ts';

function take(
  generator: { fill(out: NexmarkEvent[], max: number): number },
  n: number,
): NexmarkEvent[] {
  const all: NexmarkEvent[] = [];
  const buf: NexmarkEvent[] = [];
  for (let got = generator.fill(buf, 1000); got > 0; got = generator.fill(buf, 1000)) {
    for (let i = 0; i < got; i++) all.push(buf[i] as NexmarkEvent);
    if (all.length >= n) break;
  }
  return all.slice(0, n);
}

function golden(name: string): string[] {
  const text = readFileSync(new URL(name, import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.length > 0);
}

test('first 200 events equal the Java generator output (golden file)', () => {
  const events = take(new NexmarkGenerator(createConfig({ events: 200 })), 200);
  assert.deepEqual(events.map(canonicalEvent), golden('golden-events.jsonl'));
});

test('split 3 of 4 with seed 42 equals the Java generator output (golden file)', () => {
  const config = splitConfig(createConfig({ events: 200, seed: 42 }), 4)[3];
  assert.ok(config);
  const events = take(new NexmarkGenerator(config), 50);
  assert.deepEqual(events.map(canonicalEvent), golden('golden-split-3-of-4-seed-42.jsonl'));
});

test('proportions are exactly 1:3:46 per 50 events', () => {
  const events = take(new NexmarkGenerator(createConfig({ events: 50_000 })), 50_000);
  const counts = [0, 0, 0];
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  assert.deepEqual(counts, [1000, 3000, 46000]);
  for (const e of events) {
    assert.equal(e.person !== null, e.type === EventType.Person);
    assert.equal(e.auction !== null, e.type === EventType.Auction);
    assert.equal(e.bid !== null, e.type === EventType.Bid);
  }
});

test('is deterministic and independent of the wall clock', () => {
  const a = take(new NexmarkGenerator(createConfig({ events: 2000, seed: 3 })), 2000);
  const b = take(new NexmarkGenerator(createConfig({ events: 2000, seed: 3 })), 2000);
  assert.deepEqual(a, b);
  const c = take(new NexmarkGenerator(createConfig({ events: 2000, seed: 4 })), 2000);
  assert.notDeepEqual(a.map(canonicalEvent), c.map(canonicalEvent));
  assert.equal(a[0]?.dateTime, 1436918400000);
});

test('splits cover disjoint id ranges and the remainder goes to the last split', () => {
  const splits = splitConfig(createConfig({ events: 10_003 }), 4);
  assert.deepEqual(
    splits.map((s) => [s.firstEventId, s.maxEvents, s.numGenerators]),
    [
      [1, 2500, 4],
      [2501, 2500, 4],
      [5001, 2500, 4],
      [7501, 2503, 4],
    ],
  );
  // Person and auction ids of split i stay within the ids its event-id range creates.
  for (const s of splits) {
    const events = take(new NexmarkGenerator(s), s.maxEvents);
    assert.equal(events.length, s.maxEvents);
    const firstId = s.firstEventId + s.firstEventNumber;
    const lastId = firstId + s.maxEvents - 1;
    for (const e of events) {
      if (e.person !== null) {
        assert.ok(e.person.id >= 1000 + Math.floor(firstId / 50));
        assert.ok(e.person.id <= 1000 + Math.floor(lastId / 50));
      }
      if (e.auction !== null) {
        assert.ok(e.auction.id >= 1000 + Math.floor(firstId / 50) * 3 - 1);
        assert.ok(e.auction.id <= 1000 + Math.floor(lastId / 50) * 3 + 2);
      }
    }
  }
});

test('the interleaved splits hold the same events in event-time order', () => {
  const config = createConfig({ events: 5000 });
  const merged = take(new InterleavedGenerator(config, 3), 5000);
  assert.equal(merged.length, 5000);
  for (let i = 1; i < merged.length; i++) {
    assert.ok((merged[i]?.dateTime ?? 0) >= (merged[i - 1]?.dateTime ?? 0));
  }
  const separately = splitConfig(config, 3).flatMap((c) => take(new NexmarkGenerator(c), 5000));
  assert.deepEqual(merged.map(canonicalEvent).sort(), separately.map(canonicalEvent).sort());
  // Content (not time) depends only on the event id: the ids match the unsplit generator's.
  const ids = (es: NexmarkEvent[]): number[] =>
    es.flatMap((e) => (e.person ? [e.person.id] : [])).sort((x, y) => x - y);
  assert.deepEqual(ids(merged), ids(take(new NexmarkGenerator(config), 5000)));
});

test('hot keys: ~50% hot auctions, ~75% hot bidders and sellers', () => {
  const events = take(new NexmarkGenerator(createConfig({ events: 100_000 })), 100_000);
  let bids = 0;
  let hotAuction = 0;
  let hotBidder = 0;
  let auctions = 0;
  let hotSeller = 0;
  for (const e of events) {
    if (e.bid !== null) {
      bids++;
      if (e.bid.auction % 100 === 0) hotAuction++;
      if (e.bid.bidder % 100 === 1) hotBidder++;
    } else if (e.auction !== null) {
      auctions++;
      if (e.auction.seller % 100 === 0) hotSeller++;
    }
  }
  // The cold draws hit the hot id by chance about 1% of the time, hence the small upward shift.
  assert.ok(Math.abs(hotAuction / bids - 0.5) < 0.02, `hot auctions ${hotAuction / bids}`);
  assert.ok(Math.abs(hotBidder / bids - 0.75) < 0.02, `hot bidders ${hotBidder / bids}`);
  assert.ok(Math.abs(hotSeller / auctions - 0.75) < 0.03, `hot sellers ${hotSeller / auctions}`);
});

test('event times follow ts(num) = baseTime + floor(num·delayUs)/1000 and prices stay in range', () => {
  const events = take(new NexmarkGenerator(createConfig({ events: 20_000 })), 20_000);
  // 10,000 events/s: event k (num = k + 1) is at floor((k + 1)·100 µs / 1000) ms.
  events.forEach((e, k) => assert.equal(e.dateTime, 1436918400000 + Math.floor((k + 1) / 10)));
  for (const e of events) {
    if (e.bid !== null) {
      assert.ok(e.bid.price >= 100 && e.bid.price <= 100_000_000);
      assert.ok(e.bid.extra.length >= 54 && e.bid.extra.length <= 81, `${e.bid.extra.length}`);
    }
    if (e.auction !== null) {
      assert.ok(e.auction.expires > e.auction.dateTime);
      assert.ok(e.auction.category >= 10 && e.auction.category < 15);
    }
  }
});

test('events are structured-cloneable plain data', () => {
  const events = take(new NexmarkGenerator(createConfig({ events: 100 })), 100);
  assert.deepEqual(structuredClone(events), events);
});

/**
 * SHA-256 of the canonical events, recorded from the generator as checked byte-identical against
 * the Java one (`run.sh dump-events`, bench/nexmark/README.md): every optimisation of the random
 * port or the string building must leave these unchanged.
 */
test('200 K events (P = 1) and split 3 of 3 (seed 7) keep their recorded digests', () => {
  const digest = (config: GeneratorConfig): string => {
    const g = new NexmarkGenerator(config);
    const h = createHash('sha256');
    while (g.hasNext()) h.update(`${canonicalEvent(g.next())}\n`);
    return h.digest('hex');
  };
  assert.equal(
    digest(createConfig({ events: 200_000 })),
    '4cb78d5b0cf3605803ae7dd09bf40e74cab360b6a28794e3ae4f2ec253d6a1bf',
  );
  assert.equal(
    digest(splitConfig(createConfig({ events: 100_000, seed: 7 }), 3)[2] as GeneratorConfig),
    '600a1489aa2618b4923974fa0e4cce3c94b6d5097b5aa5b980604c84a23d442c',
  );
});
