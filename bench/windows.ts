/**
 * Issue 3's measurement: keyed event-time windows at parallelism 1 over a generated stream —
 * tumbling 10 s, sliding 10 s / 1 s, sliding 10 s / 100 ms and session (gap 1 s) — counting and
 * summing per key with an incremental aggregate; tumbling 10 s with a ProcessWindowFunction
 * over all of a window's records, and processing-time tumbling 100 ms (ADR 0030). Records per
 * second, median of `--runs`.
 *
 *   node --import tsx bench/windows.ts [--events 1000000] [--runs 3] [--keys 100]
 *
 * The stream: event time advances 1 ms every `keys` records (each key sees one record per ms,
 * up to 20 ms out of order); keys alternate between two groups every 5 s so sessions close.
 * Watermarks: bounded out-of-orderness 20 ms, periodic. Prints one JSON line per case, then a
 * table.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import {
  BlackholeSink,
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  StreamEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
  type AggregateFunction,
  type InputStatus,
  type Source,
  type SourceOutput,
  type SourceReader,
  type TimeWindow,
  type WindowAssigner,
} from '../src/index.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    keys: { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const events = Number(values.events);
const runs = Number(values.runs);
const keys = Number(values.keys);

interface Ev {
  key: number;
  value: number;
  ts: number;
}

/** Generates `n` events on the fly (the generation cost is the same in every case). */
class GeneratedSource implements Source<Ev> {
  readonly name = 'generated';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  constructor(private readonly n: number) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'generated', events: this.n };
  }
  createReader(): SourceReader<Ev> {
    const n = this.n;
    let i = 0;
    return {
      pollNext(out: SourceOutput<Ev>): InputStatus {
        const end = Math.min(n, i + out.remaining);
        for (; i < end; i++) {
          const base = Math.floor(i / keys);
          // Deterministic jitter: up to 20 ms behind.
          const ts = base - ((i * 7919) % 21);
          const group = Math.floor(base / 5000) % 2;
          out.collect({ key: (i % keys) + group * keys, value: i & 1023, ts }, ts);
        }
        return i >= n ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
      },
      isAvailable: () => Promise.resolve(),
    };
  }
}

interface Acc {
  count: number;
  sum: number;
}
const countSum: AggregateFunction<Ev, Acc, Acc> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (e, acc) => {
    acc.count++;
    acc.sum += e.value;
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => {
    a.count += b.count;
    a.sum += b.sum;
    return a;
  },
};

/** Which window function: the incremental count-and-sum, or a process function over all records. */
type Fn = 'aggregate' | 'process';

const cases: Array<[string, () => WindowAssigner<Ev, TimeWindow>, Fn?]> = [
  ['tumbling 10s', () => TumblingEventTimeWindows.of('10s')],
  ['tumbling 10s, process', () => TumblingEventTimeWindows.of('10s'), 'process'],
  ['tumbling 100ms processing time', () => TumblingProcessingTimeWindows.of('100ms')],
  ['sliding 10s/1s', () => SlidingEventTimeWindows.of('10s', '1s')],
  ['sliding 10s/100ms', () => SlidingEventTimeWindows.of('10s', '100ms')],
  ['session gap 1s', () => EventTimeSessionWindows.withGap<Ev>('1s')],
];

async function runOnce(
  assigner: WindowAssigner<Ev, TimeWindow>,
  fn: Fn,
): Promise<{ ms: number; out: number }> {
  const env = StreamEnvironment.create({ parallelism: 1, handleSignals: false });
  const sink = new BlackholeSink<Acc>();
  const windowed = env
    .fromSource(new GeneratedSource(events), WatermarkStrategy.forBoundedOutOfOrderness<Ev>(20))
    .keyBy((e) => e.key)
    .window(assigner);
  // The same result from every record of the window at once: what a window keeps for a
  // ProcessWindowFunction is all of its records.
  const results =
    fn === 'aggregate'
      ? windowed.aggregate(countSum)
      : windowed.process<Acc>({
          process(_key, _ctx, elements, out) {
            let sum = 0;
            for (const e of elements) sum += e.value;
            out.collect({ count: elements.length, sum });
          },
        });
  results.sinkTo(sink);
  const t0 = performance.now();
  await env.execute('bench-windows');
  return { ms: performance.now() - t0, out: sink.count };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const rows: Array<{ name: string; rps: number; out: number }> = [];
for (const [name, make, fn = 'aggregate'] of cases) {
  if (values.only !== undefined && !name.includes(values.only)) continue;
  await runOnce(make(), fn); // warm-up
  const rates: number[] = [];
  let out = 0;
  for (let r = 0; r < runs; r++) {
    const { ms, out: o } = await runOnce(make(), fn);
    rates.push(events / (ms / 1000));
    out = o;
  }
  const rps = median(rates);
  rows.push({ name, rps, out });
  console.log(
    JSON.stringify({
      case: name,
      events,
      runs,
      keys,
      recordsPerSecond: Math.round(rps),
      windowsOut: out,
    }),
  );
}
const tumbling = rows.find((r) => r.name.startsWith('tumbling'))?.rps;
for (const r of rows) {
  const ratio = tumbling !== undefined ? (tumbling / r.rps).toFixed(2) : '-';
  console.log(
    `${r.name.padEnd(20)} ${Math.round(r.rps).toLocaleString('en-US').padStart(12)} records/s  ${String(r.out).padStart(9)} windows  ×${ratio} tumbling time`,
  );
}
