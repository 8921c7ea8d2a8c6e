/**
 * Merging two topics on Kafka: `web-clicks` + `app-clicks` → `clicks`.
 *
 * Run it: `npx eddy run examples/kafka/merge-topics.ts --prop kafka.bootstrap=127.0.0.1:39092
 * --prop kafka.web=web-clicks --prop kafka.app=app-clicks --prop kafka.output=clicks`
 */
import { StreamEnvironment } from 'eddy';
import { mergeTopicsJob, settingsFrom } from './lib/kafka-jobs.ts';

const env = StreamEnvironment.create({ jobName: 'kafka-merge-topics' });
const p = env.properties;
mergeTopicsJob(env, settingsFrom(env, 'kafka-merge-topics'), {
  web: p.get('kafka.web', 'web-clicks'),
  app: p.get('kafka.app', 'app-clicks'),
  output: p.get('kafka.output', 'clicks'),
});
await env.execute();
