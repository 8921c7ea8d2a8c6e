/**
 * Which way to move a record batch between threads is cheaper: `postMessage` of
 * `{values, timestamps}` (structured clone) or `v8.serialize` + transferring the buffer +
 * `v8.deserialize`. Both ends run in this thread, so the time covers serializing and
 * deserializing. 1024 Nexmark bids per batch.
 *
 *   node --import tsx bench/cross-thread-serialization.ts [--batches 300] [--rounds 5]
 */
import { deserialize, serialize } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { createConfig } from './nexmark/generator/generator-config.ts';
import { NexmarkGenerator } from './nexmark/generator/nexmark-generator.ts';
import type { Bid } from './nexmark/generator/events.ts';

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
  },
});
const batches = Number(args.batches);
const gen = new NexmarkGenerator(createConfig({ events: 2_000_000 }));
const bids: Bid[] = [];
while (bids.length < 1024) {
  const e = gen.next();
  if (e.bid !== null) bids.push(e.bid);
}
const timestamps = bids.map((b) => b.dateTime);

async function measure(kind: 'clone' | 'v8'): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  let received = 0;
  let sink = 0;
  const done = new Promise<void>((resolve) => {
    port2.on('message', (m: unknown) => {
      if (kind === 'v8') {
        const d = deserialize(new Uint8Array(m as ArrayBuffer)) as { v: Bid[] };
        sink += d.v.length;
      } else sink += (m as { v: Bid[] }).v.length;
      if (++received === batches) resolve();
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    const msg = { v: bids.slice(0, 1024), t: timestamps.slice(0, 1024) };
    if (kind === 'v8') {
      const buf = serialize(msg);
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      port1.postMessage(ab, [ab]);
    } else port1.postMessage(msg);
  }
  await done;
  const ms = performance.now() - t0;
  port1.close();
  if (sink !== batches * 1024) throw new Error('lost records');
  return (ms * 1000) / batches;
}

const result: Record<string, number[]> = { clone: [], v8: [] };
for (let r = 0; r < Number(args.rounds); r++) {
  result['clone']?.push(await measure('clone'));
  result['v8']?.push(await measure('v8'));
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  JSON.stringify({
    batchSize: 1024,
    usPerBatch: {
      structuredClone: median(result['clone'] ?? []),
      v8Serialize: median(result['v8'] ?? []),
    },
  }),
);
