/**
 * Sessionization (the report's use case): user interactions with out-of-order timestamps →
 * keyBy user → event-time session windows with a 30-minute gap → one summary per session;
 * interactions that arrive after their session was closed go to a side output.
 *
 * @module
 */
import {
  CollectionSource,
  EventTimeSessionWindows,
  OutputTag,
  WatermarkStrategy,
  toMillis,
  type AggregateFunction,
  type DataStream,
  type StreamEnvironment,
  type TimeWindow,
  type WatermarkOutput,
} from 'eddy';

/** One user interaction. */
export interface Interaction {
  readonly user: string;
  readonly page: string;
  /** Event time, ms since the epoch. */
  readonly ts: number;
}

/** One summary per session: window bounds, event count, first-to-last duration, pages. */
export interface SessionSummary {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly events: number;
  readonly durationMs: number;
  readonly pages: readonly string[];
}

/** Interactions that arrived after their session had been emitted. */
export const LATE_INTERACTIONS = new OutputTag<Interaction>('late-interactions');

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 9, 0);

/**
 * A deterministic day of interactions: three users, timestamps up to 5 minutes out of order, and
 * one interaction delivered two hours late.
 */
export function sampleInteractions(): Interaction[] {
  const at = (user: string, page: string, minute: number): Interaction => ({
    user,
    page,
    ts: T0 + minute * MINUTE,
  });
  return [
    at('ana', '/', 0),
    at('bo', '/', 1),
    at('ana', '/item/1', 4),
    at('ana', '/basket', 2), // out of order by 2 minutes
    at('bo', '/item/7', 20),
    at('ana', '/checkout', 25),
    at('cy', '/', 40),
    at('bo', '/basket', 49), // 29 minutes after bo's last: same session
    at('cy', '/item/3', 38), // out of order
    at('ana', '/', 70), // 45 minutes after ana's last: a new session
    at('bo', '/', 95),
    at('ana', '/item/2', 85),
    at('cy', '/help', 160),
    at('ana', '/late', 3), // two and a half hours late: its session is long closed
    at('cy', '/', 175),
  ];
}

/** Watermarks trail the largest timestamp by 5 minutes, emitted with every record. */
export function interactionWatermarks(): WatermarkStrategy<Interaction> {
  const bound = 5 * MINUTE;
  return WatermarkStrategy.forGenerator<Interaction>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent(_e: Interaction, t: number, out: WatermarkOutput) {
        if (t > max) {
          max = t;
          out.emitWatermark(max - bound - 1);
        }
      },
      onPeriodicEmit() {},
    };
  }).withTimestampAssigner((e) => e.ts);
}

interface Summary {
  events: number;
  pages: string[];
}

const summarize: AggregateFunction<Interaction, Summary, Summary> = {
  createAccumulator: () => ({ events: 0, pages: [] }),
  add: (e, acc) => ({
    events: acc.events + 1,
    pages: acc.pages.includes(e.page) ? acc.pages : [...acc.pages, e.page],
  }),
  getResult: (acc) => acc,
  merge: (a, b) => ({
    events: a.events + b.events,
    pages: [...a.pages, ...b.pages.filter((p) => !a.pages.includes(p))],
  }),
};

/**
 * Builds the sessionization pipeline on `env` over `interactions`.
 *
 * @example
 * ```ts
 * const env = StreamEnvironment.create();
 * const { sessions, late } = sessionize(env, sampleInteractions());
 * sessions.print('session');
 * late.print('late');
 * await env.execute('sessionization');
 * ```
 */
export function sessionize(
  env: StreamEnvironment,
  interactions: readonly Interaction[],
  gap: `${number}m` = '30m',
): { sessions: DataStream<SessionSummary>; late: DataStream<Interaction> } {
  const gapMs = toMillis(gap);
  const sessions = env
    .fromSource(new CollectionSource(interactions, 'interactions'), interactionWatermarks())
    .keyBy((e) => e.user)
    .window(EventTimeSessionWindows.withGap<Interaction>(gap))
    .sideOutputLateData(LATE_INTERACTIONS)
    .aggregate<Summary, Summary, SessionSummary>(summarize, (user, ctx, results, out) => {
      const r = results[0] as Summary;
      const w = ctx.window as TimeWindow;
      // A session window ends `gap` after its last event: the session lasted until end - gap.
      out.collect({
        user,
        start: w.start,
        end: w.end,
        events: r.events,
        durationMs: w.end - gapMs - w.start,
        pages: r.pages,
      });
    })
    .name('sessions');
  return { sessions, late: sessions.getSideOutput(LATE_INTERACTIONS) };
}
