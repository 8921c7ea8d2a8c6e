import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { runPipeline, TestSource } from 'eddy/testing';
import {
  buildEnrichmentJob,
  formatView,
  type BotRule,
  type EnrichedView,
  type PageView,
} from './lib/enrichment-job.ts';
import { ProfileClient } from './lib/profile-client.ts';
import { startProfileService, syntheticProfile } from './lib/profile-service.ts';

const root = new URL('..', import.meta.url).pathname;

test('examples/enrichment.ts: bots tagged from the broadcast rules, profiles from the HTTP service, failures as dead letters', () => {
  const r = spawnSync(process.execPath, ['bin/eddy.js', 'run', 'examples/enrichment.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const p = (user: string) => {
    const { country, plan } = syntheticProfile(user);
    return `country=${country} plan=${plan}`;
  };
  assert.deepEqual(
    lines.filter((l) => l.startsWith('enriched> ')),
    [
      `enriched> alice / bot=false ${p('alice')}`,
      `enriched> crawler-1 /robots.txt bot=true ${p('crawler-1')}`,
      `enriched> bob /pricing bot=false ${p('bob')}`,
      `enriched> flaky-carol /signup bot=false ${p('flaky-carol')}`, // succeeded on retry
      `enriched> alice /docs bot=false ${p('alice')}`,
      `enriched> crawler-2 /sitemap.xml bot=true ${p('crawler-2')}`,
      `enriched> bob /buy bot=false ${p('bob')}`,
    ],
  );
  assert.deepEqual(lines.filter((l) => l.startsWith('failed> ')).sort(), [
    'failed> broken-dave error after 3 attempt(s)',
    'failed> slow-erin timeout after 1 attempt(s)',
  ]);
  assert.match(r.stderr, /FINISHED/);
});

test('the enrichment job under runPipeline: rule changes reach every subtask; the cache saves requests', async () => {
  const service = await startProfileService({ latencyMs: 2 });
  const profiles = new ProfileClient(service.url);
  try {
    const views = (users: string[]): PageView[] => users.map((user) => ({ user, url: '/' }));
    const spacers = [1, 2, 3, 4].map((w) => ({ watermark: w }));
    const { sink, metrics } = await runPipeline((env) => buildEnrichmentJob(env, { profiles }), {
      parallelism: 2,
      sources: {
        'bot-rules': TestSource.steps<BotRule>([
          { records: [{ op: 'add', user: 'bot-a' }] },
          ...spacers,
          { records: [{ op: 'remove', user: 'bot-a' }] },
        ]),
        'page-views': TestSource.steps<PageView>([
          { watermark: 0 },
          { records: views(['u1', 'bot-a', 'u2', 'u1']) },
          ...spacers.map((s) => ({ watermark: s.watermark + 10 })),
          { watermark: 20 },
          { records: views(['bot-a', 'u2']) },
        ]),
      },
    });
    const enriched = sink<EnrichedView>('enriched').map(formatView);
    const line = (user: string, bot: boolean) =>
      formatView({ user, url: '/', bot, ...syntheticProfile(user) } as EnrichedView);
    assert.deepEqual(
      [...enriched].sort(),
      [
        line('bot-a', false),
        line('bot-a', true),
        line('u1', false),
        line('u1', false),
        line('u2', false),
        line('u2', false),
      ].sort(),
    );
    assert.deepEqual(sink('enrichment-failures'), []);
    const m = metrics['profile-lookup'] ?? {};
    assert.equal((m['lookup_cache_hits'] as number) + (m['lookup_cache_misses'] as number), 6);
    assert.ok(service.requests() <= 6);
    assert.equal(m['async_in_flight'], 0);
  } finally {
    profiles.close();
    await service.close();
  }
});
