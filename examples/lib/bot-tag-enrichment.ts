/**
 * The report's BotTagEnrichment: a stateful function on a stream keyed by user that tags a user
 * as a bot once it sends more than `threshold` events within `windowMs` of event time, with a
 * metric counted from inside the function. Used by `examples/bot-tagging.ts` and its test.
 */
import {
  ListStateDescriptor,
  ValueStateDescriptor,
  type Collector,
  type Context,
  type Counter,
  type DataStream,
  type FlatMapFunction,
  type ListState,
  type ValueState,
} from 'eddy';

/** A user interaction. */
export interface UserEvent {
  readonly userId: string;
  readonly page: string;
  /** Event time, ms. */
  readonly ts: number;
}

/** A user event with the bot tag. */
export interface TaggedEvent extends UserEvent {
  readonly isBot: boolean;
  /** True on the event that made the user a bot. */
  readonly botDetected: boolean;
}

/**
 * Tags users who send more than `threshold` events within `windowMs`. Once a bot, always a bot.
 * Works per key: state holds the user's recent event times and its bot flag.
 */
export class BotTagEnrichment implements FlatMapFunction<UserEvent, TaggedEvent, string> {
  private recent!: ListState<number>;
  private bot!: ValueState<boolean>;
  private detected!: Counter;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  open(ctx: Context<string>): void {
    this.recent = ctx.getListState(new ListStateDescriptor<number>('recent-event-times'));
    this.bot = ctx.getState(new ValueStateDescriptor<boolean>('is-bot'));
    this.detected = ctx.metrics.counter('bots_detected', 'users newly tagged as bots');
  }

  flatMap(event: UserEvent, out: Collector<TaggedEvent>): void {
    if (this.bot.value() === true) {
      out.collect({ ...event, isBot: true, botDetected: false });
      return;
    }
    const from = event.ts - this.windowMs;
    const times = this.recent.get().filter((t) => t > from);
    times.push(event.ts);
    const isBot = times.length > this.threshold;
    if (isBot) {
      this.bot.update(true);
      this.recent.clear();
      this.detected.inc();
    } else this.recent.update(times);
    out.collect({ ...event, isBot, botDetected: isBot });
  }
}

const PAGES = ['/', '/search', '/item', '/basket', '/checkout'] as const;

/**
 * A deterministic stream of user events, one every 10 ms of event time: 200 human users clicking
 * every couple of seconds and, from event 5000 on, two bots sending every other event (one click
 * per 40 ms each).
 */
export function syntheticEvent(i: number): UserEvent {
  const bot = i >= 5000 && i % 2 === 0;
  const userId = bot ? `bot-${(i / 2) % 2}` : `user-${(i * 7919) % 200}`;
  return { userId, page: PAGES[(i * 31) % PAGES.length] as string, ts: 1_700_000_000_000 + i * 10 };
}

/** Builds the bot-tagging pipeline on `events`. */
export function tagBots(
  events: DataStream<UserEvent>,
  threshold: number,
  windowMs: number,
): DataStream<TaggedEvent> {
  return events
    .keyBy((e) => e.userId)
    .flatMap(new BotTagEnrichment(threshold, windowMs))
    .name('bot-tag-enrichment')
    .uid('bot-tag-enrichment');
}
