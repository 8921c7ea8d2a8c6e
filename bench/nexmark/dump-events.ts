/**
 * Writes the first N events of split I of P as canonical JSON lines (the TS twin of the Flink
 * baseline's `--dump-events`), to compare the two generators:
 *
 *   node --import tsx bench/nexmark/dump-events.ts N [--parallelism P] [--split I] [--rate EPS] [--seed S]
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { canonicalEvent } from './canonical.ts';
import { createConfig, splitConfig } from './generator/generator-config.ts';
import { NexmarkGenerator } from './generator/nexmark-generator.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    parallelism: { type: 'string', default: '1' },
    split: { type: 'string', default: '0' },
    rate: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '0' },
    output: { type: 'string' },
  },
});
const n = Number(positionals[0] ?? '200');
const parallelism = Number(values.parallelism);
const base = createConfig({
  events: n * parallelism,
  eventsPerSecond: Number(values.rate),
  seed: Number(values.seed),
});
const config = splitConfig(base, parallelism)[Number(values.split)];
if (config === undefined) throw new RangeError('--split must be below --parallelism');
const generator = new NexmarkGenerator(config);
const out = values.output === undefined ? process.stdout : createWriteStream(values.output);
let buf = '';
for (let i = 0; i < n && generator.hasNext(); i++) {
  buf += `${canonicalEvent(generator.next())}\n`;
  if (buf.length > 1 << 16) {
    out.write(buf);
    buf = '';
  }
}
out.write(buf);
if (out !== process.stdout) out.end();
