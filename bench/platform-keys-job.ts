/**
 * The job of bench/platform-api.ts's update measurement: an unbounded keyed count over
 * `keys.count` keys (default 1M), so the application carries that many keys of state into an
 * update. It prints `filled <n> keys` once every key has state.
 */
import { BlackholeSink, DataGenSource, StreamEnvironment, ValueStateDescriptor } from 'eddy';

const env = StreamEnvironment.create({ jobName: 'platform-keys' });
const keys = env.properties.getNumber('keys.count', 1_000_000) ?? 1_000_000;
const rate = env.properties.getNumber('keys.rate', 200_000) ?? 200_000;
const counted = env
  .fromSource(new DataGenSource((i) => i, { rowsPerSecond: rate, name: 'numbers' }))
  .uid('numbers')
  .keyBy((i) => i % keys)
  .map((i, ctx) => {
    const count = ctx.getState(new ValueStateDescriptor<number>('count'));
    count.update((count.value() ?? 0) + 1);
    return i;
  })
  .uid('counts');
counted.filter((i) => i === keys - 1).print({ prefix: 'filled', format: () => `${keys} keys` });
counted.sinkTo(new BlackholeSink()).uid('blackhole');
await env.execute();
