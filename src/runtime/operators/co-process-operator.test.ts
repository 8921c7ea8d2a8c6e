import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputTag, ValueStateDescriptor, type KeyedCoProcessFunction } from '../../index.ts';
import { ProcessFunctionTestHarnesses, TwoInputHarness } from '../../testing/index.ts';
import type { DataStream } from '../../api/data-stream.ts';

test('co-process calls processElement1 and processElement2 for their inputs', () => {
  const h = ProcessFunctionTestHarnesses.forCoProcessFunction<number, string, string>({
    processElement1: (n, _ctx, out) => out.collect(`1:${n}`),
    processElement2: (s, _ctx, out) => out.collect(`2:${s}`),
  });
  h.processElement2('x', 3);
  h.processElement1(7, 4);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: '2:x', timestamp: 3 },
    { value: '1:7', timestamp: 4 },
  ]);
});

test('co-process forwards the minimum of both input watermarks', () => {
  const h = TwoInputHarness.of((a: DataStream<number>, b: DataStream<number>) =>
    a.connect(b).process({
      processElement1: () => {},
      processElement2: () => {},
    }),
  );
  h.processWatermark1(10);
  assert.deepEqual(h.watermarks(), []);
  h.processWatermark2(5);
  h.processWatermark2(20);
  assert.deepEqual(h.watermarks(), [5, 10]);
  assert.equal(h.watermark, 10);
});

interface Order {
  readonly id: string;
  readonly total: number;
}
interface Payment {
  readonly orderId: string;
  readonly amount: number;
}
const unmatched = new OutputTag<Order>('unmatched');
const pendingOrder = new ValueStateDescriptor<Order>('order');

/** Matches orders with payments of the same id; unpaid orders time out after 100 ms of event time. */
const matchPayments: KeyedCoProcessFunction<string, Order, Payment, string> = {
  processElement1(order, ctx) {
    ctx.getState(pendingOrder).update(order);
    ctx.timerService().registerEventTimeTimer((ctx.timestamp() ?? 0) + 100);
  },
  processElement2(payment, ctx, out) {
    const order = ctx.getState(pendingOrder).value();
    if (order === undefined) return;
    out.collect(`${order.id} paid ${payment.amount}/${order.total}`);
    ctx.getState(pendingOrder).clear();
  },
  onTimer(_t, ctx) {
    const order = ctx.getState(pendingOrder).value();
    if (order !== undefined) ctx.output(unmatched, order);
    ctx.getState(pendingOrder).clear();
  },
};

test('keyed co-process shares keyed state and timers between both inputs', () => {
  const h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
    matchPayments,
    (o: Order) => o.id,
    (p: Payment) => p.orderId,
  );
  h.processElement1({ id: 'o1', total: 5 }, 0);
  h.processElement1({ id: 'o2', total: 7 }, 10);
  h.processElement2({ orderId: 'o1', amount: 5 }, 20);
  assert.deepEqual(h.output(), ['o1 paid 5/5']);
  assert.equal(h.state(pendingOrder, 'o1'), undefined);
  assert.deepEqual(h.state(pendingOrder, 'o2'), { id: 'o2', total: 7 });
  h.processWatermark(110);
  assert.deepEqual(h.sideOutput(unmatched), [{ id: 'o2', total: 7 }]);
});
