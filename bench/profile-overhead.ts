/**
 * What a flame graph costs the job while it samples: a real `eddy server` runs the bot-tagging
 * example as fast as it can (rate 0, parallelism 1), and the source's records per second are
 * compared over alternating windows without and with `POST …/job/flamegraph` sampling the
 * subtask's thread (interval 1000 µs, V8's default, and 250 µs). Prints the median of each.
 *
 *   node --import tsx --conditions=eddy-source bench/profile-overhead.ts [--windows 4] [--seconds 5]
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { EddyServer } from '../test/support/eddy-server.ts';

const { values } = parseArgs({
  options: { windows: { type: 'string', default: '4' }, seconds: { type: 'string', default: '5' } },
});
const windows = Number(values.windows);
const seconds = Number(values.seconds);

const server = await EddyServer.start();
try {
  await server.deploy('bots', 'examples/bot-tagging.ts', {
    parallelism: 1,
    properties: { source: { events: '0', rate: '0' } },
    checkpoints: { intervalMs: 10_000 },
    resources: { units: 1 },
  });
  const sourceOut = async (): Promise<number> => {
    const job = (await server.call('GET', '/v1/applications/bots/job')).json;
    return job.vertices[0].metrics.recordsOut as number;
  };
  const window = async (profileIntervalUs: number | undefined): Promise<number> => {
    const before = await sourceOut();
    const started = Date.now();
    if (profileIntervalUs === undefined) {
      await new Promise((r) => setTimeout(r, seconds * 1000));
    } else {
      const r = await server.call('POST', '/v1/applications/bots/job/flamegraph', {
        vertex: 1,
        subtask: 0,
        durationMs: seconds * 1000,
        intervalUs: profileIntervalUs,
      });
      if (r.status !== 200) throw new Error(JSON.stringify(r.json));
    }
    // The job view's counters are the slots' latest samples (every second): wait one more.
    const after = await sourceOut();
    return ((after - before) * 1000) / (Date.now() - started);
  };
  await window(undefined); // warm-up
  const runs: Record<string, number[]> = { none: [], '1000us': [], '250us': [] };
  for (let i = 0; i < windows; i++) {
    runs['none']!.push(await window(undefined));
    runs['1000us']!.push(await window(1000));
    runs['250us']!.push(await window(250));
  }
  const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const base = median(runs['none']!);
  for (const [name, list] of Object.entries(runs)) {
    const m = median(list);
    console.log(
      `${name.padEnd(7)} median ${Math.round(m)} records/s (${list.map((v) => Math.round(v)).join(', ')})` +
        (name === 'none' ? '' : ` → ${(((base - m) / base) * 100).toFixed(1)} % slower`),
    );
  }
} finally {
  await server.close();
}
