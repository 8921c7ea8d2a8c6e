/**
 * Bot tagging on Kafka: `user-events` (JSON UserEvent) → BotTagEnrichment → `tagged-events`.
 *
 * Run it: `npx eddy run examples/kafka/bot-tagging.ts --prop kafka.bootstrap=127.0.0.1:39092
 * --prop kafka.input=user-events --prop kafka.output=tagged-events` (add
 * `--prop kafka.bounded=true` to stop at the end of the input, `--prop
 * kafka.guarantee=at-least-once` to skip transactions; checkpoints: `--checkpoint-interval 5s`).
 */
import { StreamEnvironment } from 'eddy';
import { botTaggingJob, settingsFrom } from './lib/kafka-jobs.ts';

const env = StreamEnvironment.create({ jobName: 'kafka-bot-tagging' });
const p = env.properties;
botTaggingJob(env, settingsFrom(env, 'kafka-bot-tagging'), {
  input: p.get('kafka.input', 'user-events'),
  output: p.get('kafka.output', 'tagged-events'),
});
await env.execute();
