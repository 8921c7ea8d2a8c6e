/**
 * Sessionization on Kafka: `page-views` → 30-minute event-time sessions per user → `sessions`,
 * with per-partition watermarks and idleness.
 *
 * Run it: `npx eddy run examples/kafka/sessionization.ts --prop kafka.bootstrap=127.0.0.1:39092
 * --prop kafka.input=page-views --prop kafka.output=sessions`
 */
import { StreamEnvironment } from 'eddy';
import { sessionizationJob, settingsFrom } from './lib/kafka-jobs.ts';

const env = StreamEnvironment.create({ jobName: 'kafka-sessionization' });
const p = env.properties;
sessionizationJob(env, settingsFrom(env, 'kafka-sessionization'), {
  input: p.get('kafka.input', 'page-views'),
  output: p.get('kafka.output', 'sessions'),
});
await env.execute();
