/**
 * Enrichment — the report's first use case, the Node.js way: page views are tagged as bots from
 * a broadcast rules stream (broadcast state), then enriched with user profiles from an HTTP
 * service through a cached async lookup join (many requests in flight, retries on 5xx, timeouts
 * to a dead-letter output).
 *
 * Run it: `node bin/eddy.js run examples/enrichment.ts`
 * It starts its own profile service on 127.0.0.1 (5 ms latency; `flaky-*` users fail once,
 * `broken-*` always fail, `slow-*` time out) and stops it when the job ends.
 */
import { StreamEnvironment } from 'eddy';
import { buildEnrichmentJob, type BotRule, type PageView } from './lib/enrichment-job.ts';
import { ProfileClient } from './lib/profile-client.ts';
import { startProfileService } from './lib/profile-service.ts';

/** The example's input. */
export const RULES: readonly BotRule[] = [
  { op: 'add', user: 'crawler-1' },
  { op: 'add', user: 'crawler-2' },
];
export const VIEWS: readonly PageView[] = [
  { user: 'alice', url: '/' },
  { user: 'crawler-1', url: '/robots.txt' },
  { user: 'bob', url: '/pricing' },
  { user: 'flaky-carol', url: '/signup' },
  { user: 'alice', url: '/docs' },
  { user: 'broken-dave', url: '/' },
  { user: 'slow-erin', url: '/' },
  { user: 'crawler-2', url: '/sitemap.xml' },
  { user: 'bob', url: '/buy' },
];

const service = await startProfileService({ latencyMs: 5, slowLatencyMs: 1000 });
const profiles = new ProfileClient(service.url);
try {
  const env = StreamEnvironment.create({ jobName: 'enrichment' });
  buildEnrichmentJob(env, { profiles, views: VIEWS, rules: RULES });
  await env.execute();
} finally {
  profiles.close();
  await service.close();
}
