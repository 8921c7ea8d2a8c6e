/**
 * Merging streams — the report's "merge Kafka topics" use case: clicks from two apps merged with
 * `union`, and orders matched with their payments by a KeyedCoProcessFunction on `connect`.
 */
import {
  OutputTag,
  ValueStateDescriptor,
  type Collector,
  type Context,
  type DataStream,
  type KeyedCoProcessFunction,
  type OnTimerContext,
  type ValueState,
} from 'eddy';

/** A click from the web or the mobile app (they share one schema after normalizing). */
export interface Click {
  readonly source: 'web' | 'app';
  readonly userId: string;
  readonly page: string;
}

/** An order placed. */
export interface Order {
  readonly orderId: string;
  readonly userId: string;
  readonly amount: number;
}

/** A payment received. */
export interface Payment {
  readonly orderId: string;
  readonly paid: number;
}

/** An order matched with its payment. */
export interface PaidOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly amount: number;
  readonly paid: number;
  readonly settled: boolean;
}

/** Orders still unpaid after the timeout (processing time). */
export const UNPAID = new OutputTag<Order>('unpaid-orders');

/**
 * Matches orders and payments of the same order id, whichever arrives first; warns about orders
 * not paid within `timeoutMs` through a side output.
 */
export class OrderPaymentMatcher implements KeyedCoProcessFunction<
  string,
  Order,
  Payment,
  PaidOrder
> {
  private order!: ValueState<Order>;
  private payment!: ValueState<Payment>;

  constructor(private readonly timeoutMs: number) {}

  open(ctx: Context<string>): void {
    this.order = ctx.getState(new ValueStateDescriptor<Order>('order'));
    this.payment = ctx.getState(new ValueStateDescriptor<Payment>('payment'));
  }

  processElement1(order: Order, ctx: Context<string>, out: Collector<PaidOrder>): void {
    const payment = this.payment.value();
    if (payment !== undefined) {
      this.payment.clear();
      out.collect(match(order, payment));
      return;
    }
    this.order.update(order);
    ctx
      .timerService()
      .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + this.timeoutMs);
  }

  processElement2(payment: Payment, _ctx: Context<string>, out: Collector<PaidOrder>): void {
    const order = this.order.value();
    if (order !== undefined) {
      this.order.clear();
      out.collect(match(order, payment));
      return;
    }
    this.payment.update(payment);
  }

  onTimer(_timestamp: number, ctx: OnTimerContext<string>): void {
    const order = this.order.value();
    if (order !== undefined) ctx.output(UNPAID, order);
  }
}

function match(order: Order, payment: Payment): PaidOrder {
  return {
    orderId: order.orderId,
    userId: order.userId,
    amount: order.amount,
    paid: payment.paid,
    settled: payment.paid >= order.amount,
  };
}

/** Merges web and app clicks into one stream (no operator: records interleave). */
export function mergeClicks(web: DataStream<Click>, app: DataStream<Click>): DataStream<Click> {
  return web.union(app);
}

/** Matches orders with payments. */
export function matchPayments(
  orders: DataStream<Order>,
  payments: DataStream<Payment>,
  timeoutMs: number,
): DataStream<PaidOrder> {
  return orders
    .connect(payments)
    .keyBy(
      (o) => o.orderId,
      (p) => p.orderId,
    )
    .process(new OrderPaymentMatcher(timeoutMs))
    .name('match-payments')
    .uid('match-payments');
}
