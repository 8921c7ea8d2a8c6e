import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueStateDescriptor } from '../../index.ts';
import { ProcessFunctionTestHarnesses } from '../../testing/index.ts';

test('map emits one result per record and keeps its timestamp', () => {
  const h = ProcessFunctionTestHarnesses.forMap((s: string) => s.toUpperCase());
  h.processElement('a', 5);
  h.processElement('b');
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 'A', timestamp: 5 },
    { value: 'B', timestamp: undefined },
  ]);
});

test('map calls the map() method of a function object with its own instance per subtask', () => {
  const fn = {
    calls: 0,
    map(x: number) {
      this.calls++;
      return x + this.calls;
    },
  };
  const h = ProcessFunctionTestHarnesses.forMap(fn);
  h.processElements([10, 10]);
  assert.deepEqual(h.output(), [11, 12]);
  assert.equal(fn.calls, 0, 'the harness works on a copy, as each subtask does');
});

test('keyed map reads and writes the state of the record key', () => {
  const seen = new ValueStateDescriptor<number>('seen');
  const h = ProcessFunctionTestHarnesses.forKeyedMap(
    (w: string, ctx) => {
      const s = ctx.getState(seen);
      s.update((s.value() ?? 0) + 1);
      return `${w}#${s.value() ?? 0}`;
    },
    (w) => w,
  );
  h.processElements(['x', 'y', 'x']);
  assert.deepEqual(h.output(), ['x#1', 'y#1', 'x#2']);
  assert.equal(h.state(seen, 'x'), 2);
  assert.equal(h.state(seen, 'y'), 1);
});
