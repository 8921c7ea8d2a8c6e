/**
 * The PostgreSQL example's job and tables: bot tagging on user events, each user's running
 * activity enriched with the user's country from a `user_profiles` table (a cached, batched
 * lookup join) and upserted into `user_activity` by user — exactly-once, one prepared
 * transaction per checkpoint.
 *
 * @module
 */
import pg from 'pg';
import { DataGenSource, LookupJoin, type StreamEnvironment } from 'eddy';
import { PostgresLookupSource, PostgresSink, type PostgresDeliveryGuarantee } from 'eddy/postgres';
import { syntheticEvent, tagBots } from '../../lib/bot-tag-enrichment.ts';

/** A user's activity so far, as the row of `user_activity`. */
export interface UserActivity {
  readonly user_id: string;
  readonly events: number;
  readonly is_bot: boolean;
  readonly last_seen: Date;
  readonly country: string;
}

/** Where and how the job writes. */
export interface UserActivitySettings {
  readonly url: string;
  /** Events to generate (0: unbounded). */
  readonly events: number;
  /** Events per second (0: as fast as possible). */
  readonly rate: number;
  readonly guarantee: PostgresDeliveryGuarantee;
  /** Table names (defaults `user_profiles`, `user_activity`). */
  readonly profilesTable?: string;
  readonly activityTable?: string;
}

/**
 * Creates the example's tables when missing and fills `user_profiles` with a country for each
 * of the 200 human users of `syntheticEvent` (the bots have no profile).
 */
export async function createExampleTables(s: UserActivitySettings): Promise<void> {
  const profiles = s.profilesTable ?? 'user_profiles';
  const activity = s.activityTable ?? 'user_activity';
  const client = new pg.Client({ connectionString: s.url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${profiles} (user_id text PRIMARY KEY, country text NOT NULL)`,
    );
    await client.query(
      `INSERT INTO ${profiles} SELECT 'user-' || i, (ARRAY['PT','NZ','JP','BR','DE'])[i % 5 + 1]
         FROM generate_series(0, 199) i ON CONFLICT DO NOTHING`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${activity} (
         user_id text PRIMARY KEY, events int NOT NULL, is_bot boolean NOT NULL,
         last_seen timestamptz NOT NULL, country text NOT NULL)`,
    );
  } finally {
    await client.end();
  }
}

/** Builds the job on `env`. */
export function userActivityJob(env: StreamEnvironment, s: UserActivitySettings): void {
  const events = env
    .fromSource(
      new DataGenSource(syntheticEvent, {
        ...(s.events > 0 ? { count: s.events } : {}),
        ...(s.rate > 0 ? { rowsPerSecond: s.rate } : {}),
        name: 'user-events',
      }),
    )
    .uid('user-events');
  const activity = tagBots(events, 20, 1000)
    .map((e) => ({ userId: e.userId, events: 1, isBot: e.isBot, ts: e.ts }))
    .keyBy((a) => a.userId)
    .reduce((a, b) => ({
      userId: a.userId,
      events: a.events + b.events,
      isBot: a.isBot || b.isBot,
      ts: Math.max(a.ts, b.ts),
    }))
    .uid('activity');
  const profiles = new PostgresLookupSource<{ country: string }>({
    connection: s.url,
    table: s.profilesTable ?? 'user_profiles',
    keyColumn: 'user_id',
    columns: ['country'],
  });
  LookupJoin.async(activity, {
    key: (a) => a.userId,
    lookup: profiles.lookup,
    join: (a, profile): UserActivity => ({
      user_id: a.userId,
      events: a.events,
      is_bot: a.isBot,
      last_seen: new Date(a.ts),
      country: profile?.country ?? 'unknown',
    }),
    cache: { maxSize: 10_000, ttl: '5m' },
  })
    .uid('country')
    .sinkTo(
      PostgresSink.builder<UserActivity>()
        .setConnection(s.url)
        .setTable(s.activityTable ?? 'user_activity')
        .setColumns(['user_id', 'events', 'is_bot', 'last_seen', 'country'])
        .setKeyColumns(['user_id'])
        .setDeliveryGuarantee(s.guarantee)
        .build(),
    )
    .uid('user-activity-sink');
}
