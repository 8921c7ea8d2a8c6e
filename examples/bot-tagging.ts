/**
 * Bot tagging — the report's enrichment use case, as a job: user events → keyBy(user) →
 * BotTagEnrichment (keyed state, a custom metric) → newly detected bots printed, plus a running
 * count of human and bot events.
 *
 * Run it: `npx eddy run examples/bot-tagging.ts --metrics-port 9249`
 * Settings: `--prop bots.threshold=20 --prop bots.window-ms=1000 --prop source.events=20000
 * --prop source.rate=2000` (rate 0 = as fast as possible; events 0 = unbounded, stop with Ctrl-C).
 */
import { DataGenSource, StreamEnvironment } from 'eddy';
import { syntheticEvent, tagBots } from './lib/bot-tag-enrichment.ts';

const env = StreamEnvironment.create({ jobName: 'bot-tagging' });
const props = env.properties;
const count = props.getNumber('source.events', 20_000) ?? 20_000;
const rate = props.getNumber('source.rate', 2_000) ?? 2_000;
const events = env
  .fromSource(
    new DataGenSource(syntheticEvent, {
      ...(count > 0 ? { count } : {}),
      ...(rate > 0 ? { rowsPerSecond: rate } : {}),
      name: 'user-events',
    }),
  )
  .uid('user-events');
const tagged = tagBots(
  events,
  props.getNumber('bots.threshold', 20) ?? 20,
  props.getNumber('bots.window-ms', 1000) ?? 1000,
);

tagged
  .filter((e) => e.botDetected)
  .name('new-bots')
  .print({
    prefix: 'bot detected',
    format: (e) => `${e.userId} at ${new Date(e.ts).toISOString()}`,
  });

tagged
  .map((e) => ({ kind: e.isBot ? 'bot' : 'human', events: 1 }))
  .keyBy((c) => c.kind)
  .reduce((a, b) => ({ kind: a.kind, events: a.events + b.events }))
  .uid('event-counts')
  .filter((c) => c.events % 2000 === 0)
  .name('progress')
  .print({ prefix: 'progress', format: (c) => `${c.events} ${c.kind} events` });

await env.execute();
