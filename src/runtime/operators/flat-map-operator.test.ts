import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListStateDescriptor } from '../../index.ts';
import { ProcessFunctionTestHarnesses } from '../../testing/index.ts';

test('flatMap emits zero or more records per input, each with the input timestamp', () => {
  const h = ProcessFunctionTestHarnesses.forFlatMap((line: string, out) => {
    for (const w of line.split(' ')) if (w !== '') out.collect(w);
  });
  h.processElement('to be', 7);
  h.processElement('', 8);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 'to', timestamp: 7 },
    { value: 'be', timestamp: 7 },
  ]);
});

test('keyed flatMap keeps list state per key', () => {
  const history = new ListStateDescriptor<number>('history');
  const h = ProcessFunctionTestHarnesses.forKeyedFlatMap(
    (e: { k: string; v: number }, out, ctx) => {
      const l = ctx.getListState(history);
      l.add(e.v);
      if (l.get().length === 2) out.collect(l.get());
    },
    (e) => e.k,
  );
  h.processElements([
    { k: 'a', v: 1 },
    { k: 'b', v: 2 },
    { k: 'a', v: 3 },
  ]);
  assert.deepEqual(h.output(), [[1, 3]]);
  assert.deepEqual(h.state(history, 'b'), [2]);
});
