/**
 * The job of the SIGKILL-to-processing measurement in `bench/state.ts`, run as a child process:
 * `node --import tsx bench/state-recovery-job.ts <dir> <keys> <backend>`. An unbounded keyed sum
 * over `keys` keys (the first `keys` records touch every key once), checkpointed every 2 s into
 * `<dir>/chk`. It prints `first <epoch ms>` when it processes its first record (after any restore)
 * and `records <n>` every 2^20 records.
 *
 * @module
 */
import { BlackholeSink, StreamEnvironment } from '../src/index.ts';
import { DataGenSource } from '../src/connectors/datagen/datagen-source.ts';

const [dir, keysArg, backend] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: state-recovery-job.ts <dir> <keys> [heap|lmdb]');
const keys = Number(keysArg ?? 1_000_000);
const env = StreamEnvironment.create({
  checkpointInterval: '2s',
  checkpointDir: `${dir}/chk`,
  stateBackend: backend === 'lmdb' ? 'lmdb' : 'heap',
  stateDir: `${dir}/state`,
  restartStrategy: { type: 'none' },
  handleSignals: false,
});
let seen = 0;
env
  .fromSource(new DataGenSource((i) => ({ k: i % keys, v: 1 })))
  .uid('gen')
  .map((r) => {
    if (seen++ === 0) process.stdout.write(`first ${Date.now()}\n`);
    if ((seen & 0xfffff) === 0) process.stdout.write(`records ${seen}\n`);
    return r;
  })
  .keyBy((r) => r.k)
  .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
  .uid('sum')
  .sinkTo(new BlackholeSink())
  .uid('sink');
await env.execute('state-recovery');
