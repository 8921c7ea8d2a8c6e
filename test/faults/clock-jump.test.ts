// Fault injection: the wall clock steps backwards (an NTP correction, a VM resumed from a
// snapshot) while processing-time timers and async timeouts are pending. Timers are scheduled
// with setTimeout (monotonic), but when one came due the runtime fired only timers up to the
// *current* clock — after a step back by an hour, none — and scheduled itself again for the
// size of the jump: a timer set 300 ms ahead fired an hour late. Now a due timer fires up to its
// own time whatever the clock says since (as Flink's `onProcessingTime(time)` does).
//
// The machine's clock is shared and cannot be stepped by a test: `Date.now` — which the real
// wall clock of the runtime reads — is stepped in this process only.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  CollectSink,
  DataGenSource,
  StreamEnvironment,
  type Collector,
  type Context,
  type KeyedProcessFunction,
  type OnTimerContext,
} from '../../src/index.ts';
import { waitFor } from '../support/wait-for.ts';

const HOUR = 3_600_000;
const realNow = Date.now;

/** Steps this process's wall clock by `ms` from now on. */
function stepClock(ms: number): void {
  const base = realNow;
  Date.now = () => base() + ms;
}

afterEach(() => {
  Date.now = realNow;
});

describe('a wall clock stepping backwards', { timeout: 120_000 }, () => {
  it('does not put off a due processing-time timer by the size of the jump', async () => {
    const fired = new CollectSink<string>();
    /** Sets one timer 300 ms ahead at the first record, then steps the clock back an hour. */
    class OneTimer implements KeyedProcessFunction<number, number, string> {
      private set = false;
      processElement(_v: number, ctx: Context<number>): void {
        if (this.set) return;
        this.set = true;
        const at = ctx.timerService().currentProcessingTime() + 300;
        ctx.timerService().registerProcessingTimeTimer(at);
        stepClock(-HOUR);
      }
      onTimer(t: number, _ctx: OnTimerContext<number>, out: Collector<string>): void {
        out.collect(`timer ${t}`);
      }
    }
    const env = StreamEnvironment.create({ handleSignals: false });
    env
      .fromSource(new DataGenSource((i) => i, { rowsPerSecond: 50 }))
      .keyBy(() => 0)
      .process(new OneTimer())
      .sinkTo(fired);
    const client = env.executeAsync('clock-jump');
    try {
      const started = performance.now();
      await waitFor(() => fired.values.length > 0, {
        timeoutMs: 30_000,
        message: 'the timer fires although the clock went back an hour',
      });
      assert.ok(performance.now() - started < 30_000);
      assert.equal(fired.values.length, 1);
    } finally {
      await client.cancel();
    }
  });

  it('does not put off an async I/O timeout by the size of the jump', async () => {
    const out = new CollectSink<string>();
    const env = StreamEnvironment.create({ handleSignals: false });
    let first = true;
    const stream = env.fromSource(new DataGenSource((i) => i, { rowsPerSecond: 50, count: 1 }));
    stream
      .mapAsync(
        () => {
          // Never answers; the clock steps back an hour once the request has started.
          if (first) {
            first = false;
            setTimeout(() => stepClock(-HOUR), 50);
          }
          return new Promise<string>(() => {});
        },
        { timeout: 400, capacity: 1, onTimeout: (i: number) => `timed out ${i}` },
      )
      .sinkTo(out);
    const started = performance.now();
    await env.execute('async-clock-jump');
    assert.deepEqual(out.values, ['timed out 0']);
    assert.ok(performance.now() - started < 30_000);
  });
});
