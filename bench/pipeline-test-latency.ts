/**
 * Issue 7's measurement: wall time of one pipeline test written with `runPipeline` — from the
 * start of the test to its assertion — for the job Flink's `PipelineTestTimingTest` runs
 * (collection source of 10 words → keyBy → stateful flatMap counting per key in ValueState →
 * collected sink, parallelism 2). Median of 100 runs in one process, after 5 warm-up runs.
 *
 *   node --import tsx bench/pipeline-test-latency.ts [--runs 100] [--parallelism 2]
 *
 * Prints one JSON line, then one human line.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { ValueStateDescriptor, type StreamEnvironment } from '../src/index.ts';
import { runPipeline } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    parallelism: { type: 'string', default: '2' },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const parallelism = Number(values.parallelism);

const WORDS = ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'c', 'a', 'e'];
const count = new ValueStateDescriptor<number>('count');

/** The job under test, written as an application would write it. */
function buildJob(env: StreamEnvironment): void {
  env
    .fromCollection<string>([], 'words')
    .keyBy((w) => w)
    .flatMap((w: string, out, ctx) => {
      const state = ctx.getState(count);
      const next = (state.value() ?? 0) + 1;
      state.update(next);
      out.collect([w, next] as const);
    })
    .print()
    .name('counts');
}

/** One pipeline test, start to assertion. */
async function pipelineTest(): Promise<void> {
  const { sink } = await runPipeline(buildJob, { sources: { words: WORDS }, parallelism });
  const results = sink<readonly [string, number]>('counts');
  const last = new Map<string, number>();
  for (const [w, n] of results) last.set(w, Math.max(last.get(w) ?? 0, n));
  assert.equal(results.length, 10);
  assert.deepEqual(Object.fromEntries(last), { a: 4, b: 2, c: 2, d: 1, e: 1 });
}

for (let i = 0; i < warmup; i++) await pipelineTest();
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  await pipelineTest();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
const result = {
  engine: 'eddy',
  test: 'pipeline-test',
  runs,
  parallelism,
  medianMs: Number(q(0.5).toFixed(3)),
  p90Ms: Number(q(0.9).toFixed(3)),
  minMs: Number((times[0] as number).toFixed(3)),
  maxMs: Number((times[times.length - 1] as number).toFixed(3)),
};
console.log(JSON.stringify(result));
console.log(
  `eddy runPipeline pipeline test: median ${result.medianMs} ms over ${runs} runs (p90 ${result.p90Ms} ms, min ${result.minMs} ms)`,
);
