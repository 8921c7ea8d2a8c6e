/**
 * Merging streams, as a job: clicks from web and app merged with `union` and counted per page;
 * orders matched with payments through `connect` + a KeyedCoProcessFunction.
 *
 * Run it: `npx eddy run examples/merge-streams.ts`
 */
import { StreamEnvironment } from 'eddy';
import {
  UNPAID,
  matchPayments,
  mergeClicks,
  type Click,
  type Order,
  type Payment,
} from './lib/order-payment-matcher.ts';

const env = StreamEnvironment.create({ jobName: 'merge-streams' });

const web = env.fromCollection<Click>(
  [
    { source: 'web', userId: 'ana', page: '/' },
    { source: 'web', userId: 'bo', page: '/item' },
    { source: 'web', userId: 'ana', page: '/basket' },
  ],
  'web-clicks',
);
const app = env.fromCollection<Click>(
  [
    { source: 'app', userId: 'cy', page: '/item' },
    { source: 'app', userId: 'bo', page: '/basket' },
  ],
  'app-clicks',
);
mergeClicks(web, app)
  .map((c) => ({ page: c.page, clicks: 1 }))
  .keyBy((c) => c.page)
  .reduce((a, b) => ({ page: a.page, clicks: a.clicks + b.clicks }))
  .print('clicks per page');

const orders = env.fromCollection<Order>(
  [
    { orderId: 'o1', userId: 'ana', amount: 30 },
    { orderId: 'o2', userId: 'bo', amount: 12 },
    { orderId: 'o3', userId: 'cy', amount: 99 },
  ],
  'orders',
);
const payments = env.fromCollection<Payment>(
  [
    { orderId: 'o2', paid: 12 },
    { orderId: 'o1', paid: 20 },
  ],
  'payments',
);
const paid = matchPayments(orders, payments, 60_000);
paid.print('paid');
paid.getSideOutput(UNPAID).print('unpaid');

await env.execute();
