import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamEnvironment, CollectSink } from 'eddy';
import {
  sampleInteractions,
  sessionize,
  type Interaction,
  type SessionSummary,
} from './lib/sessionize.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 9, 0);
const s = (
  user: string,
  startMin: number,
  lastMin: number,
  events: number,
  pages: string[],
): SessionSummary => ({
  user,
  start: T0 + startMin * MIN,
  end: T0 + (lastMin + 30) * MIN,
  events,
  durationMs: (lastMin - startMin) * MIN,
  pages,
});

test('sessionization: one summary per 30-minute session; the late interaction goes aside', async () => {
  const env = StreamEnvironment.create();
  const { sessions, late } = sessionize(env, sampleInteractions());
  const lateSink = new CollectSink<Interaction>();
  late.sinkTo(lateSink);
  const out = await sessions.executeAndCollect('sessionization-test');
  const byStart = (a: SessionSummary, b: SessionSummary) =>
    a.start - b.start || a.user.localeCompare(b.user);
  assert.deepEqual(out.sort(byStart), [
    s('ana', 0, 25, 4, ['/', '/item/1', '/basket', '/checkout']),
    s('bo', 1, 49, 3, ['/', '/item/7', '/basket']),
    s('cy', 38, 40, 2, ['/', '/item/3']),
    s('ana', 70, 85, 2, ['/', '/item/2']),
    s('bo', 95, 95, 1, ['/']),
    s('cy', 160, 175, 2, ['/help', '/']),
  ]);
  assert.deepEqual(lateSink.values, [{ user: 'ana', page: '/late', ts: T0 + 3 * MIN }]);
});
