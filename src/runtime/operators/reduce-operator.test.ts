import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueStateDescriptor } from '../../index.ts';
import { ProcessFunctionTestHarnesses } from '../../testing/index.ts';

interface Sale {
  readonly shop: string;
  readonly amount: number;
}

test('reduce emits the running reduction of each key, with the record timestamp', () => {
  const h = ProcessFunctionTestHarnesses.forReduce(
    (a: Sale, b: Sale) => ({ shop: a.shop, amount: a.amount + b.amount }),
    (s) => s.shop,
  );
  h.processElement({ shop: 'x', amount: 1 }, 10);
  h.processElement({ shop: 'y', amount: 5 }, 11);
  h.processElement({ shop: 'x', amount: 2 }, 12);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: { shop: 'x', amount: 1 }, timestamp: 10 },
    { value: { shop: 'y', amount: 5 }, timestamp: 11 },
    { value: { shop: 'x', amount: 3 }, timestamp: 12 },
  ]);
});

test('reduce state survives a snapshot and restore', () => {
  const make = () =>
    ProcessFunctionTestHarnesses.forReduce(
      (a: number, b: number) => a + b,
      (n) => n % 2,
    );
  const h = make();
  h.processElements([1, 2, 3]);
  const restored = make();
  restored.restore(h.snapshot());
  assert.equal(restored.state(new ValueStateDescriptor<number>('_reduce'), 1), 4);
  restored.processElement(5);
  assert.deepEqual(restored.output(), [9]);
});
