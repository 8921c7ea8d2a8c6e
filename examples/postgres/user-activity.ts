/**
 * User activity into PostgreSQL: user events → bot tagging → each user's running activity,
 * enriched with the country from `user_profiles` (LookupJoin on PostgresLookupSource) and
 * upserted into `user_activity` exactly-once (a prepared transaction per checkpoint). The job
 * creates both tables when missing.
 *
 * Run it (a local server: `node scripts/postgres.mjs start`):
 * `npx eddy run examples/postgres/user-activity.ts --checkpoint-interval 1s --checkpoint-dir
 * /tmp/user-activity --prop postgres.url=postgres://postgres@127.0.0.1:39432/postgres`
 * Settings: `--prop source.events=20000 --prop source.rate=2000` (0 = unbounded / unlimited),
 * `--prop postgres.guarantee=at-least-once`. Then: `SELECT * FROM user_activity ORDER BY events
 * DESC LIMIT 5;`
 */
import { StreamEnvironment } from 'eddy';
import type { PostgresDeliveryGuarantee } from 'eddy/postgres';
import { createExampleTables, userActivityJob } from './lib/user-activity-job.ts';

const env = StreamEnvironment.create({ jobName: 'postgres-user-activity' });
const p = env.properties;
const settings = {
  url: p.get('postgres.url', 'postgres://postgres@127.0.0.1:39432/postgres'),
  events: p.getNumber('source.events', 20_000) ?? 20_000,
  rate: p.getNumber('source.rate', 2_000) ?? 2_000,
  guarantee: p.get('postgres.guarantee', 'exactly-once') as PostgresDeliveryGuarantee,
};
await createExampleTables(settings);
userActivityJob(env, settings);
await env.execute();
