/**
 * The Kafka examples end to end on a real broker: bot tagging topic → topic, merging two topics,
 * sessionization (event-time session windows with per-partition watermarks), each bounded and
 * exactly-once, checked with a read_committed reader.
 *
 * Run: node --import tsx --test test/kafka/examples.test.ts
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { StreamEnvironment } from '../../src/index.ts';
import {
  botTaggingJob,
  mergeTopicsJob,
  sessionizationJob,
  type KafkaJobSettings,
  type PageView,
  type Session,
} from '../../examples/kafka/lib/kafka-jobs.ts';
import { syntheticEvent, type TaggedEvent } from '../../examples/lib/bot-tag-enrichment.ts';
import type { Click } from '../../examples/lib/order-payment-matcher.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import { produce, readAll } from './kafka-support.ts';

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';
const topics: string[] = [];

async function newTopic(name: string, partitions = 2): Promise<string> {
  const topic = await createTopic(bootstrap, uniqueName(name), partitions);
  topics.push(topic);
  return topic;
}

function settings(): KafkaJobSettings {
  return {
    bootstrap,
    bounded: true,
    guarantee: 'exactly-once',
    transactionalIdPrefix: uniqueName('ex'),
  };
}

async function produceJson(topic: string, values: readonly object[], key: (v: never) => string) {
  await produce(
    bootstrap,
    values.map((v) => ({
      topic,
      key: Buffer.from(key(v as never)),
      value: Buffer.from(JSON.stringify(v)),
    })),
  );
}

async function readJson<T>(topic: string): Promise<T[]> {
  return (await readAll(bootstrap, topic)).map((r) => JSON.parse(String(r.value)) as T);
}

describe('Kafka examples', { skip }, () => {
  after(() => deleteTopics(bootstrap, topics));

  test('bot tagging: user events topic → tagged events topic', async () => {
    const input = await newTopic('user-events');
    const output = await newTopic('tagged-events');
    const events = Array.from({ length: 6000 }, (_, i) => syntheticEvent(i));
    await produceJson(input, events, (e: { userId: string }) => e.userId);
    const env = StreamEnvironment.create({ parallelism: 2 });
    botTaggingJob(env, settings(), { input, output });
    await env.execute();
    const tagged = await readJson<TaggedEvent>(output);
    assert.equal(tagged.length, events.length);
    const bots = new Set(tagged.filter((e) => e.botDetected).map((e) => e.userId));
    assert.deepEqual([...bots].sort(), ['bot-0', 'bot-1']);
    assert.ok(tagged.filter((e) => e.userId.startsWith('user-')).every((e) => !e.isBot));
  });

  test('merging two topics', async () => {
    const web = await newTopic('web-clicks', 1);
    const app = await newTopic('app-clicks', 1);
    const output = await newTopic('clicks', 1);
    const click = (source: 'web' | 'app', i: number): Click => ({
      source,
      userId: `u${i % 5}`,
      page: `/p${i}`,
    });
    await produceJson(
      web,
      Array.from({ length: 50 }, (_, i) => click('web', i)),
      (c: Click) => c.userId,
    );
    await produceJson(
      app,
      Array.from({ length: 30 }, (_, i) => click('app', i)),
      (c: Click) => c.userId,
    );
    const env = StreamEnvironment.create();
    mergeTopicsJob(env, settings(), { web, app, output });
    await env.execute();
    const merged = await readJson<Click>(output);
    assert.equal(merged.filter((c) => c.source === 'web').length, 50);
    assert.equal(merged.filter((c) => c.source === 'app').length, 30);
  });

  test('sessionization: 30-minute event-time sessions per user', async () => {
    const input = await newTopic('page-views');
    const output = await newTopic('sessions');
    const t0 = Date.UTC(2026, 0, 1, 9);
    const min = 60_000;
    const views: PageView[] = [
      { user: 'ana', page: '/', ts: t0 },
      { user: 'ana', page: '/a', ts: t0 + 10 * min },
      { user: 'bo', page: '/', ts: t0 + 5 * min },
      { user: 'ana', page: '/b', ts: t0 + 80 * min }, // 70 minutes later: a new session
      { user: 'bo', page: '/c', ts: t0 + 20 * min },
    ];
    await produceJson(input, views, (v: PageView) => v.user);
    const env = StreamEnvironment.create();
    sessionizationJob(env, settings(), { input, output });
    await env.execute();
    const sessions = (await readJson<Session>(output))
      .map((s) => `${s.user}:${(s.start - t0) / min}-${(s.end - t0) / min}:${s.views}`)
      .sort();
    assert.deepEqual(sessions, ['ana:0-40:2', 'ana:80-110:1', 'bo:5-50:2']);
  });
});
