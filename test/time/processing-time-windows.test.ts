import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ContinuousProcessingTimeTrigger,
  GlobalWindows,
  PrintSink,
  ProcessingTimeSessionWindows,
  SlidingProcessingTimeWindows,
  TimeWindow,
  TumblingProcessingTimeWindows,
  type GlobalWindow,
  type ProcessWindowFunction,
  type StreamEnvironment,
} from '../../src/index.ts';
import { TestSource, runPipeline } from '../../src/testing/index.ts';

interface Click {
  readonly user: string;
  readonly n: number;
}

/** Sums the clicks of a window; the output names the key and the window. */
function summing<W extends TimeWindow | GlobalWindow>(): ProcessWindowFunction<
  Click,
  string,
  string,
  W
> {
  return {
    process(key, ctx, elements, out) {
      let total = 0;
      for (const c of elements) total += c.n;
      const w: TimeWindow | GlobalWindow = ctx.window;
      out.collect(`${key}[${w instanceof TimeWindow ? `${w.start},${w.end}` : 'global'})=${total}`);
    },
  };
}

/** Sums clicks per user in processing-time windows of the given kind. */
function build(windows: 'tumbling' | 'sliding' | 'session' | 'continuous') {
  return (env: StreamEnvironment): void => {
    const keyed = env.fromCollection<Click>([], 'clicks').keyBy((c) => c.user);
    const sums =
      windows === 'tumbling'
        ? keyed.window(TumblingProcessingTimeWindows.of(1000)).process(summing<TimeWindow>())
        : windows === 'sliding'
          ? keyed.window(SlidingProcessingTimeWindows.of(1000, 500)).process(summing<TimeWindow>())
          : windows === 'session'
            ? keyed.window(ProcessingTimeSessionWindows.withGap(300)).process(summing<TimeWindow>())
            : keyed
                .window(GlobalWindows.create())
                .trigger(ContinuousProcessingTimeTrigger.of(1000))
                .process(summing<GlobalWindow>());
    sums.sinkTo(new PrintSink<string>()).name('out');
  };
}

const script = () =>
  TestSource.steps<Click>([
    { processingTime: 100 },
    { records: [{ user: 'a', n: 1 }] },
    { processingTime: 200 },
    {
      records: [
        { user: 'a', n: 2 },
        { user: 'b', n: 10 },
      ],
    },
    { processingTime: 900 },
    { records: [{ user: 'a', n: 4 }] },
    { processingTime: 1_600 },
    { records: [{ user: 'a', n: 8 }] },
    { processingTime: 3_000 },
  ]);

describe('processing-time windows (virtual clock)', { concurrency: true }, () => {
  it('tumbling: fires each window when the clock passes its end', async () => {
    const r = await runPipeline(build('tumbling'), {
      sources: { clicks: script() },
      bounded: false,
    });
    assert.deepEqual([...(r.sink('out') as string[])].sort(), [
      'a[0,1000)=7',
      'a[1000,2000)=8',
      'b[0,1000)=10',
    ]);
  });

  it('sliding: each record lands in size/slide windows', async () => {
    const r = await runPipeline(build('sliding'), {
      sources: { clicks: script() },
      bounded: false,
    });
    assert.deepEqual([...(r.sink('out') as string[])].sort(), [
      'a[-500,500)=3',
      'a[0,1000)=7',
      'a[1000,2000)=8',
      'a[1500,2500)=8',
      'a[500,1500)=4',
      'b[-500,500)=10',
      'b[0,1000)=10',
    ]);
  });

  it('session: records closer than the gap merge; a quiet gap closes the session', async () => {
    const r = await runPipeline(build('session'), {
      sources: { clicks: script() },
      bounded: false,
    });
    assert.deepEqual([...(r.sink('out') as string[])].sort(), [
      'a[100,500)=3',
      'a[1600,1900)=8',
      'a[900,1200)=4',
      'b[200,500)=10',
    ]);
  });

  it('continuous trigger: a global window fires every interval with everything so far', async () => {
    const r = await runPipeline(build('continuous'), {
      sources: { clicks: script() },
      bounded: false,
    });
    // Fires at 1000 (a=7, b=10) and 2000 (a=15, b=10), and at 3000 again with nothing new.
    const sums = (r.sink('out') as string[]).map((l) => l.replace(/\[.*\)/, ''));
    assert.deepEqual(sums.slice(0, 4).sort(), ['a=15', 'a=7', 'b=10', 'b=10']);
  });
});
