import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueStateDescriptor } from '../../index.ts';
import { ProcessFunctionTestHarnesses } from '../../testing/index.ts';

test('filter keeps the records for which the predicate is true, with their timestamps', () => {
  const h = ProcessFunctionTestHarnesses.forFilter((n: number) => n % 2 === 0);
  h.processElement(1, 10);
  h.processElement(2, 20);
  h.processElement(4, 40);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 2, timestamp: 20 },
    { value: 4, timestamp: 40 },
  ]);
});

test('filter functions can register metrics (the PyFlink FilterFunction gap)', () => {
  const h = ProcessFunctionTestHarnesses.forFilter({
    filter(n: number, ctx) {
      const ok = n > 0;
      if (!ok) ctx.metrics.counter('invalid').inc();
      return ok;
    },
  });
  h.processElements([1, -1, -2]);
  assert.equal(h.metrics()['invalid'], 2);
  assert.equal(h.metrics()['records_out'], 1);
});

test('keyed filter drops repeats per key using state', () => {
  const seen = new ValueStateDescriptor<boolean>('seen');
  const h = ProcessFunctionTestHarnesses.forKeyedFilter(
    (e: { id: string }, ctx) => {
      const s = ctx.getState(seen);
      if (s.value() === true) return false;
      s.update(true);
      return true;
    },
    (e) => e.id,
  );
  h.processElements([{ id: 'a' }, { id: 'a' }, { id: 'b' }]);
  assert.deepEqual(h.output(), [{ id: 'a' }, { id: 'b' }]);
});
