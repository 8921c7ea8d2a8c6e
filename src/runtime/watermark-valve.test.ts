/**
 * WatermarkValve: one test per rule of its contract, and property tests over random sequences of
 * watermarks, idleness and end of input: what it emits only goes forward and is always some
 * channel's watermark, without idleness it is exactly the minimum over the channels that have not
 * ended, and it reports idle exactly when every open channel is idle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WatermarkValve } from './watermark-valve.ts';

function valve(channels: number): { v: WatermarkValve; out: number[]; idles: boolean[] } {
  const out: number[] = [];
  const idles: boolean[] = [];
  const v = new WatermarkValve(
    channels,
    (w) => out.push(w),
    (i) => idles.push(i),
  );
  return { v, out, idles };
}

test('the output is the minimum over the channels, and never goes backwards', () => {
  const { v, out } = valve(3);
  v.watermark(0, 10);
  v.watermark(1, 20);
  assert.deepEqual(out, [], 'channel 2 has no watermark yet');
  v.watermark(2, 5);
  assert.deepEqual(out, [5]);
  v.watermark(2, 30);
  assert.deepEqual(out, [5, 10]);
  v.watermark(0, 8); // behind its own last watermark: ignored
  v.watermark(0, 25);
  assert.deepEqual(out, [5, 10, 20]);
  assert.equal(v.output, 20);
});

test('an idle channel does not hold the output back; all idle reports idle at the furthest watermark', () => {
  const { v, out, idles } = valve(2);
  v.watermark(0, 10);
  v.watermark(1, 3);
  assert.deepEqual(out, [3]);
  v.setIdle(1, true);
  assert.deepEqual(out, [3, 10]);
  assert.equal(v.isIdle, false);
  v.watermark(0, 12);
  assert.deepEqual(out, [3, 10, 12]);
  v.setIdle(0, true);
  assert.deepEqual(idles, [true]);
  assert.equal(v.isIdle, true);
  v.setIdle(0, false);
  assert.deepEqual(idles, [true, false]);
  assert.equal(v.isIdle, false);
});

test('when every channel goes idle, the output advances to the furthest channel', () => {
  const { v, out, idles } = valve(2);
  v.watermark(0, 4);
  v.watermark(1, 9);
  assert.deepEqual(out, [4]);
  v.setIdle(0, true); // channel 1 alone: 9
  v.watermark(1, 11);
  v.setIdle(1, true);
  assert.deepEqual(out, [4, 9, 11]);
  assert.deepEqual(idles, [true]);
  const { v: w, out: out2 } = valve(2);
  w.watermark(0, 4);
  w.watermark(1, 9);
  // Both idle at once from an aligned state: nothing holds back the furthest one any more.
  w.setIdle(1, true);
  assert.deepEqual(out2, [4]);
  w.setIdle(0, true);
  assert.deepEqual(out2, [4, 9]);
});

test('a channel that resumes behind the output neither pulls it back nor stalls it, and counts again once caught up', () => {
  const { v, out } = valve(2);
  v.watermark(0, 10);
  v.watermark(1, 10);
  v.setIdle(1, true);
  v.watermark(0, 50);
  assert.deepEqual(out, [10, 50]);
  v.setIdle(1, false); // back, at 10: behind 50
  v.watermark(1, 20); // still behind: not counted
  v.watermark(0, 60); // so channel 0 alone moves the output
  assert.deepEqual(out, [10, 50, 60]);
  v.watermark(1, 65); // caught up: counted again
  v.watermark(0, 80);
  assert.deepEqual(out, [10, 50, 60, 65], 'channel 1 holds the output at its 65');
  v.watermark(1, 90);
  assert.deepEqual(out, [10, 50, 60, 65, 80]);
});

test('a watermark on an idle channel makes it active again', () => {
  const { v, out, idles } = valve(2);
  v.watermark(0, 5);
  v.watermark(1, 5);
  v.setIdle(0, true);
  v.setIdle(1, true);
  assert.deepEqual(idles, [true]);
  v.watermark(0, 7);
  assert.deepEqual(idles, [true, false], 'the watermark ends the idleness');
  assert.deepEqual(out, [5, 7]);
  v.watermark(1, 6); // channel 1 is active again too: it was idle, and 6 is behind 7
  v.watermark(0, 9);
  assert.deepEqual(
    out,
    [5, 7, 9],
    'channel 1 is not aligned (behind 7), so it does not hold 9 back',
  );
});

test('ended channels are left out, and ignore what arrives after their end', () => {
  const { v, out, idles } = valve(2);
  v.watermark(0, 10);
  v.watermark(1, 2);
  assert.deepEqual(out, [2]);
  v.end(1);
  assert.deepEqual(out, [2, 10]);
  v.watermark(1, 100);
  v.setIdle(1, true);
  assert.deepEqual(out, [2, 10]);
  assert.deepEqual(idles, []);
  v.watermark(0, 15);
  assert.deepEqual(out, [2, 10, 15]);
});

type Op =
  | { readonly kind: 'wm'; readonly ch: number; readonly w: number }
  | { readonly kind: 'idle'; readonly ch: number; readonly idle: boolean }
  | { readonly kind: 'end'; readonly ch: number };

const CHANNELS = 3;
const opArb = (idleness: boolean): fc.Arbitrary<Op> => {
  const ch = fc.nat({ max: CHANNELS - 1 });
  const ops: fc.Arbitrary<Op>[] = [
    fc.record({ kind: fc.constant('wm' as const), ch, w: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('wm' as const), ch, w: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('wm' as const), ch, w: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('end' as const), ch }),
  ];
  if (idleness) ops.push(fc.record({ kind: fc.constant('idle' as const), ch, idle: fc.boolean() }));
  return fc.oneof(...ops);
};

/** Plays `ops`, checking after each one what holds whatever the channels do. */
function play(ops: readonly Op[], check: (state: Played) => void): void {
  const { v, out, idles } = valve(CHANNELS);
  const state: Played = {
    wm: new Array<number>(CHANNELS).fill(Number.NEGATIVE_INFINITY),
    idle: new Array<boolean>(CHANNELS).fill(false),
    ended: new Array<boolean>(CHANNELS).fill(false),
    out,
    idles,
    valve: v,
    emittedBefore: 0,
  };
  for (const op of ops) {
    state.emittedBefore = out.length;
    const before = v.output;
    if (!state.ended[op.ch]) {
      if (op.kind === 'wm') {
        state.idle[op.ch] = false;
        state.wm[op.ch] = Math.max(state.wm[op.ch] as number, op.w);
      } else if (op.kind === 'idle') state.idle[op.ch] = op.idle;
      else state.ended[op.ch] = true;
    }
    if (op.kind === 'wm') v.watermark(op.ch, op.w);
    else if (op.kind === 'idle') v.setIdle(op.ch, op.idle);
    else v.end(op.ch);
    // Forward only, and each emitted watermark is the current output.
    for (let i = state.emittedBefore; i < out.length; i++) {
      assert.ok((out[i] as number) > (i === 0 ? Number.NEGATIVE_INFINITY : (out[i - 1] as number)));
    }
    assert.ok(v.output >= before);
    assert.equal(v.output, out.length > 0 ? out[out.length - 1] : Number.NEGATIVE_INFINITY);
    check(state);
  }
}

interface Played {
  /** Each channel's highest watermark so far. */
  readonly wm: number[];
  readonly idle: boolean[];
  readonly ended: boolean[];
  readonly out: number[];
  readonly idles: boolean[];
  readonly valve: WatermarkValve;
  emittedBefore: number;
}

test('without idleness, the output is the minimum over the channels that have not ended', () => {
  fc.assert(
    fc.property(fc.array(opArb(false), { maxLength: 60 }), (ops) => {
      let expected = Number.NEGATIVE_INFINITY;
      play(ops, (s) => {
        const open = s.wm.filter((_, i) => !s.ended[i]);
        if (open.length > 0) expected = Math.max(expected, Math.min(...open));
        assert.equal(s.valve.output, expected);
        assert.deepEqual(s.idles, []);
      });
    }),
    { seed: 20261202, numRuns: 400 },
  );
});

test('with idleness: every output is some channel watermark, and idle is reported exactly when every open channel is idle', () => {
  fc.assert(
    fc.property(fc.array(opArb(true), { maxLength: 60 }), (ops) => {
      play(ops, (s) => {
        for (let i = s.emittedBefore; i < s.out.length; i++) {
          assert.ok(s.wm.includes(s.out[i] as number), `${s.out[i]} is no channel's watermark`);
        }
        const open = s.idle.filter((_, i) => !s.ended[i]);
        // Once every channel has ended, idleness no longer matters (the end of input follows).
        if (open.length === 0) return;
        const allIdle = open.every((x) => x);
        assert.equal(s.valve.isIdle, allIdle);
        // The reports alternate, starting with idle, and the last one is the current status.
        s.idles.forEach((x, i) => assert.equal(x, i % 2 === 0));
        if (s.idles.length > 0) assert.equal(s.idles[s.idles.length - 1], allIdle);
      });
    }),
    { seed: 20261203, numRuns: 400 },
  );
});
