// Every code sample of docs/guides/testing.md lives here and runs with the test suite; the last
// test checks that the guide still shows exactly this code (imports aside), so the guide cannot rot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CollectionSource,
  ListStateDescriptor,
  MapStateDescriptor,
  OutputTag,
  PrintSink,
  WatermarkStrategy,
  type Collector,
  type Context,
  type FlatMapFunction,
  type KeyedProcessFunction,
  type ListState,
  type OnTimerContext,
  type StreamEnvironment,
} from '../index.ts';
import { ProcessFunctionTestHarnesses, runPipeline, TestSource } from './index.ts';
import { guideSamplesMissingFrom } from '../../test/support/guide-samples.ts';

export interface PageView {
  readonly user: string;
  readonly url: string;
  readonly ts: number;
}

export interface TaggedView extends PageView {
  readonly bot: boolean;
}

export const recentRequests = new ListStateDescriptor<number>('recent-requests');

/** Tags a user as a bot once it made `threshold` requests within `periodMs`. */
export class BotTagEnrichment implements FlatMapFunction<PageView, TaggedView, string> {
  private recent!: ListState<number>;

  constructor(
    private readonly threshold: number,
    private readonly periodMs: number,
  ) {}

  open(ctx: Context<string>): void {
    this.recent = ctx.getListState(recentRequests);
  }

  flatMap(view: PageView, out: Collector<TaggedView>): void {
    const recent = this.recent.get().filter((ts) => ts > view.ts - this.periodMs);
    recent.push(view.ts);
    this.recent.update(recent);
    out.collect({ ...view, bot: recent.length >= this.threshold });
  }
}

export function buildBotTaggingJob(env: StreamEnvironment): void {
  env
    .fromSource(new CollectionSource<PageView>([]), undefined, 'page-views') // Kafka in production
    .keyBy((view) => view.user)
    .flatMap(new BotTagEnrichment(3, 10_000))
    .sinkTo(new PrintSink<TaggedView>())
    .name('tagged-views');
}

test('BotTagEnrichment tags a user after 3 requests within 10 s (harness)', () => {
  const harness = ProcessFunctionTestHarnesses.forKeyedFlatMap(
    new BotTagEnrichment(3, 10_000),
    (view: PageView) => view.user,
  );
  harness.processElement({ user: 'u1', url: '/a', ts: 1_000 });
  harness.processElement({ user: 'u1', url: '/b', ts: 2_000 });
  harness.processElement({ user: 'u2', url: '/a', ts: 2_500 });
  harness.processElement({ user: 'u1', url: '/c', ts: 3_000 });
  harness.processElement({ user: 'u1', url: '/d', ts: 20_000 });

  assert.deepEqual(
    harness.output().map((v) => `${v.user}${v.url}:${v.bot}`),
    ['u1/a:false', 'u1/b:false', 'u2/a:false', 'u1/c:true', 'u1/d:false'],
  );
  assert.deepEqual(harness.state(recentRequests, 'u1'), [20_000]);
});

test('the bot-tagging job tags bots end to end (runPipeline)', async () => {
  const { sink } = await runPipeline(buildBotTaggingJob, {
    sources: {
      'page-views': [
        { user: 'u1', url: '/a', ts: 1_000 },
        { user: 'u1', url: '/b', ts: 2_000 },
        { user: 'u1', url: '/c', ts: 3_000 },
      ],
    },
  });
  assert.deepEqual(
    sink<TaggedView>('tagged-views').map((v) => v.bot),
    [false, false, true],
  );
});

export interface Click {
  readonly user: string;
  readonly ts: number;
}

export interface ClickCount {
  readonly user: string;
  readonly windowEnd: number;
  readonly clicks: number;
}

export const lateClicks = new OutputTag<Click>('late-clicks');

const countsByWindow = new MapStateDescriptor<number, number>('counts-by-window');
const MINUTE = 60_000;

/** Counts clicks per user in tumbling one-minute event-time windows; late clicks go to a side output. */
export class ClicksPerMinute implements KeyedProcessFunction<string, Click, ClickCount> {
  processElement(click: Click, ctx: Context<string>): void {
    const windowEnd = Math.floor(click.ts / MINUTE) * MINUTE + MINUTE;
    if (windowEnd - 1 <= ctx.timerService().currentWatermark()) {
      ctx.output(lateClicks, click); // its window has already fired
      return;
    }
    const counts = ctx.getMapState(countsByWindow);
    counts.put(windowEnd, (counts.get(windowEnd) ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(windowEnd - 1);
  }

  onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<ClickCount>): void {
    const counts = ctx.getMapState(countsByWindow);
    const windowEnd = timestamp + 1;
    out.collect({ user: ctx.getCurrentKey(), windowEnd, clicks: counts.get(windowEnd) ?? 0 });
    counts.remove(windowEnd);
  }
}

export function buildClickCountJob(env: StreamEnvironment): void {
  const counts = env
    .fromSource(
      new CollectionSource<Click>([]), // Kafka in production
      WatermarkStrategy.forBoundedOutOfOrderness<Click>('5s').withTimestampAssigner((c) => c.ts),
      'clicks',
    )
    .keyBy((click) => click.user)
    .process(new ClicksPerMinute())
    .name('clicks-per-minute');
  counts.sinkTo(new PrintSink<ClickCount>()).name('counts');
  counts.getSideOutput(lateClicks).sinkTo(new PrintSink<Click>()).name('late');
}

test('counts clicks per minute and sends late clicks to a side output', async () => {
  const result = await runPipeline(buildClickCountJob, {
    sources: {
      clicks: TestSource.steps<Click>([
        {
          records: [
            { user: 'ann', ts: 10_000 },
            { user: 'ann', ts: 50_000 },
          ],
        },
        { records: [{ user: 'bob', ts: 59_000 }] },
        { watermark: 60_000 }, // the first minute is complete
        { records: [{ user: 'ann', ts: 30_000 }] }, // late: its minute has fired
        { records: [{ user: 'ann', ts: 61_000 }] },
      ]),
    },
  });

  assert.deepEqual(result.sink('counts'), [
    { user: 'ann', windowEnd: 60_000, clicks: 2 },
    { user: 'bob', windowEnd: 60_000, clicks: 1 },
    { user: 'ann', windowEnd: 120_000, clicks: 1 }, // fired by the final watermark of bounded input
  ]);
  assert.deepEqual(result.sink('late'), [{ user: 'ann', ts: 30_000 }]);
});

test('bot detection survives a restart from a snapshot', () => {
  const before = ProcessFunctionTestHarnesses.forKeyedFlatMap(
    new BotTagEnrichment(3, 10_000),
    (view: PageView) => view.user,
  );
  before.processElement({ user: 'u1', url: '/a', ts: 1_000 });
  before.processElement({ user: 'u1', url: '/b', ts: 2_000 });
  const snapshot = before.snapshot(); // keyed state by key group, timers: what a checkpoint holds

  const after = ProcessFunctionTestHarnesses.forKeyedFlatMap(
    new BotTagEnrichment(3, 10_000),
    (view: PageView) => view.user,
  );
  after.restore(snapshot);
  after.processElement({ user: 'u1', url: '/c', ts: 3_000 });

  assert.deepEqual(
    after.output().map((v) => v.bot),
    [true],
  );
  assert.deepEqual(after.state(recentRequests, 'u1'), [1_000, 2_000, 3_000]);
});

test('every code sample of docs/guides/testing.md is in this file', () => {
  const { samples, missing } = guideSamplesMissingFrom(
    new URL('../../docs/guides/testing.md', import.meta.url),
    new URL(import.meta.url),
  );
  assert.ok(samples >= 4, 'the guide has code samples');
  assert.deepEqual(missing, [], 'guide samples not found in guide-examples.test.ts');
});
