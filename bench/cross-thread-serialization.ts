/**
 * Which way to move a record batch between threads is cheaper: `postMessage` of
 * `{values, timestamps}` (structured clone), `v8.serialize` + transferring the buffer +
 * `v8.deserialize`, or Eddy's columnar encoding (`runtime/parallel/columnar-batch-codec.ts`, what
 * the runtime uses for uniform records). Both ends run in this thread, so the time covers
 * encoding and decoding. 1024 Nexmark bids per batch, and the same bids reduced to their four
 * number fields (records after a projection).
 *
 *   node --import tsx bench/cross-thread-serialization.ts [--batches 300] [--rounds 5]
 */
import { deserialize, serialize } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { createConfig } from './nexmark/generator/generator-config.ts';
import { NexmarkGenerator } from './nexmark/generator/nexmark-generator.ts';
import type { Bid } from './nexmark/generator/events.ts';
import {
  decodeColumns,
  encodeColumns,
  type ColumnarBatch,
} from '../src/runtime/parallel/columnar-batch-codec.ts';

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
/** The bids after a projection to their number fields. */
const projected = bids.map((b) => ({
  auction: b.auction,
  bidder: b.bidder,
  price: b.price,
  dateTime: b.dateTime,
}));

type Kind = 'clone' | 'v8' | 'columnar';

async function measure(kind: Kind, records: readonly object[]): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  let received = 0;
  let sink = 0;
  const out: unknown[] = [];
  const done = new Promise<void>((resolve) => {
    port2.on('message', (m: unknown) => {
      if (kind === 'v8') {
        const d = deserialize(new Uint8Array(m as ArrayBuffer)) as { v: unknown[] };
        sink += d.v.length;
      } else if (kind === 'columnar') {
        const c = m as { cols: ColumnarBatch; n: number };
        decodeColumns(c.cols, c.n, out);
        sink += c.n;
      } else sink += (m as { v: unknown[] }).v.length;
      if (++received === batches) resolve();
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    if (kind === 'columnar') {
      const t = new Float64Array(timestamps);
      const transfer: ArrayBuffer[] = [t.buffer];
      const cols = encodeColumns(records, records.length, transfer);
      if (cols === undefined) throw new Error('records are not uniform');
      port1.postMessage({ cols, n: records.length, t }, transfer);
      continue;
    }
    const msg = { v: records.slice(0, 1024), t: timestamps.slice(0, 1024) };
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

const kinds: Kind[] = ['clone', 'v8', 'columnar'];
const results = { bids: new Map<Kind, number[]>(), projected: new Map<Kind, number[]>() };
for (let r = 0; r < Number(args.rounds); r++) {
  for (const kind of kinds) {
    for (const [name, records] of [
      ['bids', bids],
      ['projected', projected],
    ] as const) {
      const m = results[name];
      m.set(kind, [...(m.get(kind) ?? []), await measure(kind, records)]);
    }
  }
}
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const summary = (m: Map<Kind, number[]>) =>
  Object.fromEntries(kinds.map((k) => [k, Math.round(median(m.get(k) ?? []))]));
console.log(
  JSON.stringify({
    batchSize: 1024,
    usPerBatch: { bids: summary(results.bids), projected: summary(results.projected) },
  }),
);
