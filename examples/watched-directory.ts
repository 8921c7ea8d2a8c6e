/**
 * A watched directory, as a job: every orders file (JSON lines) renamed into `orders.in` is read
 * once — also across restarts, as its progress is in the checkpoint — and each customer's running
 * total is written to `orders.out`. Lines that are not JSON go to the dead-letter output, printed
 * with their file and line. Flink's `FileSource…monitorContinuously(Duration.ofSeconds(1))`.
 *
 * Run it: `npx eddy run examples/watched-directory.ts --checkpoint-interval 1s --checkpoint-dir .eddy/orders-chk`
 * then drop a file in, written under a hidden name and renamed into place (so that it is never
 * read half-written):
 * `printf '{"customer":"ana","amount":12}\n' > orders-in/.a && mv orders-in/.a orders-in/a.jsonl`.
 * Settings: `--prop orders.in=orders-in --prop orders.out=orders-out --prop orders.interval-ms=1000`.
 * With checkpoints the output is exactly-once (part files appear as checkpoints complete).
 */
import { mkdirSync } from 'node:fs';
import { DEAD_LETTERS, FileSink, FileSource, StreamEnvironment } from 'eddy';

/** One line of an orders file. */
interface Order {
  readonly customer: string;
  readonly amount: number;
}

const env = StreamEnvironment.create({ jobName: 'watched-directory' });
const props = env.properties;
const input = props.get('orders.in', 'orders-in');
mkdirSync(input, { recursive: true });
const orders = env
  .fromSource(
    FileSource.jsonLines<Order>(input).monitorContinuously({
      intervalMs: props.getNumber('orders.interval-ms', 1000) ?? 1000,
    }),
    undefined,
    'orders',
  )
  .uid('orders');
orders.getSideOutput(DEAD_LETTERS).print('bad line');
orders
  .keyBy((o) => o.customer)
  .sum('amount')
  .uid('totals')
  .map((o) => `${o.customer} ${o.amount}`)
  .sinkTo(FileSink.lines<string>(props.get('orders.out', 'orders-out')))
  .uid('totals-out');
await env.execute();
