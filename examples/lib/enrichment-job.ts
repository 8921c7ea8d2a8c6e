/**
 * The enrichment job: page views → bot tagging from a broadcast rules stream → user-profile
 * enrichment from an HTTP service through a cached lookup join. Used by
 * `examples/enrichment.ts` and its test.
 */
import {
  ASYNC_FAILURES,
  CollectionSource,
  LookupJoin,
  MapStateDescriptor,
  type BroadcastContext,
  type Collector,
  type KeyedBroadcastProcessFunction,
  type ReadOnlyContext,
  type StreamEnvironment,
} from 'eddy';
import { HttpError, type ProfileClient } from './profile-client.ts';
import type { Profile } from './profile-service.ts';

/** A page view. */
export interface PageView {
  readonly user: string;
  readonly url: string;
}

/** A change to the bot list. */
export interface BotRule {
  readonly op: 'add' | 'remove';
  readonly user: string;
}

/** A page view with its bot tag. */
export interface TaggedView extends PageView {
  readonly bot: boolean;
}

/** A tagged page view with the user's profile. */
export interface EnrichedView extends TaggedView {
  readonly country: string;
  readonly plan: string;
}

/** The bot list every subtask holds: user → why. */
export const BOT_LIST = new MapStateDescriptor<string, string>('bot-list');

/** Tags views of users on the broadcast bot list. */
export class TagBots implements KeyedBroadcastProcessFunction<
  string,
  PageView,
  BotRule,
  TaggedView
> {
  processElement(view: PageView, ctx: ReadOnlyContext<string>, out: Collector<TaggedView>): void {
    out.collect({ ...view, bot: ctx.getBroadcastState(BOT_LIST).contains(view.user) });
  }
  processBroadcastElement(rule: BotRule, ctx: BroadcastContext): void {
    const bots = ctx.getBroadcastState(BOT_LIST);
    if (rule.op === 'add') bots.put(rule.user, 'rule');
    else bots.remove(rule.user);
  }
}

/** Formats an enriched view as one line. */
export function formatView(v: EnrichedView): string {
  return `${v.user} ${v.url} bot=${v.bot} country=${v.country} plan=${v.plan}`;
}

/** What the job needs from outside. */
export interface EnrichmentJobOptions {
  readonly profiles: Pick<ProfileClient, 'getProfile'>;
  /** Sources used when the job runs as it is (tests replace them by name). */
  readonly views?: readonly PageView[];
  readonly rules?: readonly BotRule[];
  /** Lookup timeout (default 300 ms). */
  readonly timeoutMs?: number;
}

/**
 * Builds the job on `env`: sources `bot-rules` and `page-views`, sinks `enriched` and
 * `enrichment-failures`.
 */
export function buildEnrichmentJob(env: StreamEnvironment, options: EnrichmentJobOptions): void {
  // Rules first: in one process the first source declared is polled first.
  const rules = env.fromSource(new CollectionSource(options.rules ?? []), undefined, 'bot-rules');
  const views = env.fromSource(new CollectionSource(options.views ?? []), undefined, 'page-views');
  const tagged = views
    .keyBy((v) => v.user)
    .connect(rules.broadcast(BOT_LIST))
    .process(new TagBots())
    .name('tag-bots');
  const enriched = LookupJoin.async(tagged, {
    key: (v) => v.user,
    lookup: (user) => options.profiles.getProfile(user),
    join: (v, p: Profile | undefined): EnrichedView => ({
      ...v,
      country: p?.country ?? 'unknown',
      plan: p?.plan ?? 'none',
    }),
    cache: { maxSize: 10_000, ttl: '1m' },
    capacity: 100,
    timeout: options.timeoutMs ?? 300,
    retry: {
      maxAttempts: 3,
      delay: 10,
      retryOnError: (e) => e instanceof HttpError && e.status >= 500,
    },
  }).uid('profile-lookup');
  enriched.print({ prefix: 'enriched', format: formatView }).name('enriched');
  enriched
    .getSideOutput(ASYNC_FAILURES)
    .map((f) => `${(f.value as TaggedView).user} ${f.reason} after ${f.attempts} attempt(s)`)
    .name('describe-failure')
    .print({ prefix: 'failed' })
    .name('enrichment-failures');
}
