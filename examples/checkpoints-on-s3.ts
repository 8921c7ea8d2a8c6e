/**
 * Checkpoints on object storage, as a job: the bot-tagging pipeline with its checkpoints in
 * `s3://…` — Flink's `state.checkpoints.dir: s3://…`. Kill it (even with SIGKILL) and start it
 * again with the same location: it resumes from its latest checkpoint there, on this machine or
 * another one.
 *
 * Run it (credentials from the standard AWS chain; `--s3-endpoint` for S3Proxy or MinIO):
 * `npx eddy run examples/checkpoints-on-s3.ts --prop checkpoints.dir=s3://my-bucket/eddy/bots`
 * Settings: `--prop source.events=20000 --prop source.rate=2000` (events 0 = unbounded).
 */
import { DataGenSource, StreamEnvironment } from 'eddy';
import { syntheticEvent, tagBots } from './lib/bot-tag-enrichment.ts';

// The checkpoint location is an option of the environment, so it is read before the environment
// exists: from `--prop checkpoints.dir=…` as `eddy run` passes it, through a first environment.
const dir = StreamEnvironment.create().properties.get('checkpoints.dir');
if (dir === undefined || !dir.startsWith('s3://')) {
  throw new Error('give the checkpoint location: --prop checkpoints.dir=s3://bucket/prefix');
}
const env = StreamEnvironment.create({
  jobName: 'checkpoints-on-s3',
  checkpointInterval: '1s',
  checkpointDir: dir,
});
const count = env.properties.getNumber('source.events', 20_000) ?? 20_000;
const rate = env.properties.getNumber('source.rate', 2_000) ?? 2_000;
const events = env
  .fromSource(
    new DataGenSource(syntheticEvent, {
      ...(count > 0 ? { count } : {}),
      ...(rate > 0 ? { rowsPerSecond: rate } : {}),
      name: 'user-events',
    }),
  )
  .uid('user-events');
tagBots(events, 20, 1000)
  .filter((e) => e.botDetected)
  .name('new-bots')
  .print({ prefix: 'bot detected', format: (e) => e.userId });
await env.execute();
