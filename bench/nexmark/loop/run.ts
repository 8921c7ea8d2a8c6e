/**
 * Runs one loop baseline and prints one JSON line like the Flink baseline's:
 *
 *   node --import tsx bench/nexmark/loop/run.ts --query q5 --events 1000000 [--parallelism P]
 *        [--rate EPS] [--seed S] [--output FILE] [--warmup N]
 *
 * `--parallelism` only selects the event set (the P-way split, read interleaved on one thread).
 * With `--output` the canonical lines are written (timing then includes serialization). `--warmup N`
 * first runs the query over N events, unmeasured (as the tuned Flink baseline and Eddy do).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CanonicalRecord } from '../canonical.ts';
import { canonicalJson } from '../canonical.ts';
import { createConfig } from '../generator/generator-config.ts';
import { InterleavedGenerator } from '../generator/interleaved-generator.ts';
import { QUERY_NAMES, isQueryName, loopQueries } from './index.ts';

const { values } = parseArgs({
  options: {
    query: { type: 'string' },
    events: { type: 'string', default: '1000000' },
    parallelism: { type: 'string', default: '1' },
    rate: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '0' },
    output: { type: 'string' },
    warmup: { type: 'string', default: '0' },
  },
});
const query = values.query ?? '';
if (!isQueryName(query)) throw new Error(`--query must be one of ${QUERY_NAMES.join(', ')}`);
const events = Number(values.events);
const parallelism = Number(values.parallelism);
const config = createConfig({
  events,
  eventsPerSecond: Number(values.rate),
  seed: Number(values.seed),
});
const warmup = Number(values.warmup);
if (warmup > 0) {
  const warm = createConfig({
    events: warmup,
    eventsPerSecond: config.eventsPerSecond,
    seed: config.seed,
  });
  loopQueries[query](new InterleavedGenerator(warm, parallelism), () => undefined);
}
const source = new InterleavedGenerator(config, parallelism);
const lines: string[] = [];
let count = 0;
const sink =
  values.output === undefined
    ? (_: CanonicalRecord): void => {
        count++;
      }
    : (r: CanonicalRecord): void => {
        count++;
        lines.push(canonicalJson(r));
      };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
loopQueries[query](source, sink);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (values.output !== undefined) {
  writeFileSync(values.output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}
console.log(
  JSON.stringify({
    engine: 'loop',
    query,
    events,
    parallelism,
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    outputCount: count,
    eventsPerSecond: Math.round(events / seconds),
  }),
);
