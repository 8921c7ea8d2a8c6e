import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ASYNC_FAILURES,
  AsyncDataStream,
  type InputStatus,
  type Source,
  type SourceOutput,
  type SourceReader,
} from '../index.ts';
import { TestSource, runPipeline, type TestStep } from '../testing/index.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The synchronous version of the enrichment. */
const enrichSync = (n: number) => ({ n, square: n * n });

test('orderedWait / unorderedWait in a job equal the synchronous map under random latencies (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: -500, max: 500 }), { maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 17 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      async (input, delays, capacity, batchSize, ordered) => {
        let i = 0;
        const enrich = async (n: number) => {
          await sleep(delays[i++ % delays.length] as number);
          return enrichSync(n);
        };
        const { sink } = await runPipeline(
          (env) => {
            const numbers = env.fromCollection<number>([], 'numbers');
            (ordered
              ? AsyncDataStream.orderedWait(numbers, enrich, { capacity })
              : AsyncDataStream.unorderedWait(numbers, enrich, { capacity })
            )
              .print()
              .name('out');
          },
          { sources: { numbers: input }, batchSize },
        );
        const expected = input.map(enrichSync);
        const out = sink<{ n: number; square: number }>('out');
        if (ordered) assert.deepEqual(out, expected);
        else {
          const byN = (a: { n: number }, b: { n: number }) => a.n - b.n;
          assert.deepEqual([...out].sort(byN), [...expected].sort(byN));
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('downstream operators never see a record behind the watermark (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 4 })), // -1: a watermark
        { maxLength: 40 },
      ),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 11 }),
      fc.boolean(),
      async (plan, delays, ordered) => {
        const steps: TestStep<number>[] = [];
        let time = 0;
        let records = 0;
        for (const p of plan) {
          if (p < 0) steps.push({ watermark: time });
          else {
            time += p;
            records++;
            steps.push({ record: time, timestamp: time });
          }
        }
        let i = 0;
        const slow = async (t: number) => {
          await sleep(delays[i++ % delays.length] as number);
          return t;
        };
        const { sink } = await runPipeline(
          (env) => {
            const events = env.fromCollection<number>([], 'events');
            const enriched = ordered
              ? AsyncDataStream.orderedWait(events, slow)
              : AsyncDataStream.unorderedWait(events, slow);
            enriched
              .process((t: number, ctx, out) =>
                out.collect({ t, watermark: ctx.timerService().currentWatermark() }),
              )
              .print()
              .name('seen');
          },
          { sources: { events: TestSource.steps(steps) } },
        );
        const seen = sink<{ t: number; watermark: number }>('seen');
        assert.equal(seen.length, records);
        for (const s of seen) assert.ok(s.t > s.watermark, `record ${s.t} behind ${s.watermark}`);
      },
    ),
    { numRuns: 30 },
  );
});

/** A source of 0..count-1 that counts what it emitted. */
class CountingSource implements Source<number> {
  readonly name = 'counting';
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  emitted = 0;
  constructor(private readonly count: number) {}
  describe() {
    return { kind: 'counting' };
  }
  createReader(): SourceReader<number> {
    return {
      pollNext: (out: SourceOutput<number>): InputStatus => {
        const end = Math.min(this.count, this.emitted + out.remaining);
        while (this.emitted < end) out.collect(this.emitted++);
        return this.emitted < this.count ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
      },
      isAvailable: () => Promise.resolve(),
    };
  }
}

test('backpressure: a full queue holds the source', async () => {
  const capacity = 5;
  const batchSize = 4;
  const source = new CountingSource(400);
  let done = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let maxAhead = 0;
  const { sink } = await runPipeline(
    (env) => {
      env
        .fromSource(source, undefined, 'numbers')
        .mapAsync(
          async (n: number) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            maxAhead = Math.max(maxAhead, source.emitted - done);
            await sleep(1);
            inFlight--;
            done++;
            return n;
          },
          { capacity, ordered: false },
        )
        .print()
        .name('out');
    },
    { batchSize },
  );
  assert.equal(sink<number>('out').length, 400);
  assert.equal(maxInFlight, capacity);
  // The source is at most one batch ahead of a full queue.
  assert.ok(maxAhead <= capacity + batchSize, `source ran ${maxAhead} records ahead`);
});

test('a job ends only after its last requests complete; failures reach ASYNC_FAILURES', async () => {
  const { sink, sideOutput, metrics } = await runPipeline(
    (env) => {
      env
        .fromCollection<number>([], 'numbers')
        .mapAsync(
          async (n: number) => {
            await sleep(n % 3);
            if (n % 10 === 0) throw new Error(`no profile for ${n}`);
            return n;
          },
          { ordered: true },
        )
        .name('lookup')
        .print()
        .name('out');
    },
    {
      sources: { numbers: Array.from({ length: 50 }, (_, i) => i) },
      sideOutputs: [ASYNC_FAILURES],
    },
  );
  assert.equal(sink('out').length, 45);
  assert.deepEqual(
    sideOutput(ASYNC_FAILURES).map((f) => f.value),
    [0, 10, 20, 30, 40],
  );
  assert.equal(metrics['lookup']?.['async_failures'], 5);
});
