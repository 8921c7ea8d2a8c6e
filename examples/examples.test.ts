import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StreamEnvironment } from 'eddy';
import { waitFor } from '../test/support/wait-for.ts';
import { syntheticEvent, tagBots, type UserEvent } from './lib/bot-tag-enrichment.ts';
import {
  UNPAID,
  matchPayments,
  mergeClicks,
  type Click,
  type Order,
  type Payment,
} from './lib/order-payment-matcher.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** Runs an example through the CLI, as a user would. */
async function runExample(
  file: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/eddy.js', 'run', file, ...args], { cwd: root });
}

describe('examples', { concurrency: true }, () => {
  it('bot-tagging: tags exactly the users over the threshold, once, at the right event', async () => {
    const env = StreamEnvironment.create();
    const events: UserEvent[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ userId: 'fast', page: '/', ts: 1000 + i * 100 })),
      { userId: 'slow', page: '/', ts: 1000 },
      { userId: 'slow', page: '/', ts: 5000 },
      { userId: 'slow', page: '/', ts: 9000 },
      { userId: 'fast', page: '/after', ts: 9000 },
    ];
    const tagged = await tagBots(env.fromCollection(events), 3, 1000).executeAndCollect();
    assert.deepEqual(
      tagged.map(
        (e) => `${e.userId}@${e.ts}:${e.isBot ? 'bot' : 'human'}${e.botDetected ? '!' : ''}`,
      ),
      [
        'fast@1000:human',
        'fast@1100:human',
        'fast@1200:human',
        'fast@1300:bot!',
        'slow@1000:human',
        'slow@5000:human',
        'slow@9000:human',
        'fast@9000:bot',
      ],
    );
  });

  it('bot-tagging job: prints the two bots and the running counts', async () => {
    const { stdout, stderr } = await runExample(
      'examples/bot-tagging.ts',
      '--prop',
      'source.rate=0',
    );
    const lines = stdout.trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('bot detected')),
      [
        'bot detected> bot-0 at 2023-11-14T22:14:10.800Z',
        'bot detected> bot-1 at 2023-11-14T22:14:10.820Z',
      ],
    );
    // 20,000 events: 12,500 from humans, 7,500 from the two bots (every other event after 5,000).
    assert.deepEqual(
      lines.filter((l) => l.startsWith('progress')).sort(),
      [
        ...[2000, 4000, 6000, 8000, 10000, 12000].map((n) => `progress> ${n} human events`),
        ...[2000, 4000, 6000].map((n) => `progress> ${n} bot events`),
      ].sort(),
    );
    assert.match(stderr, /job "bot-tagging" FINISHED/);
    assert.equal(syntheticEvent(5000).userId, 'bot-0');
  });

  it('merge-streams: union interleaves both click streams; connect matches orders with payments', async () => {
    const env = StreamEnvironment.create();
    const web = env.fromCollection<Click>([{ source: 'web', userId: 'a', page: '/' }]);
    const app = env.fromCollection<Click>([{ source: 'app', userId: 'b', page: '/x' }]);
    const clicks = await mergeClicks(web, app).executeAndCollect();
    assert.deepEqual(clicks.map((c) => c.source).sort(), ['app', 'web']);

    const env2 = StreamEnvironment.create({ parallelism: 2 });
    const orders = env2.fromCollection<Order>([
      { orderId: 'o1', userId: 'a', amount: 10 },
      { orderId: 'o2', userId: 'b', amount: 5 },
    ]);
    const payments = env2.fromCollection<Payment>([
      { orderId: 'o2', paid: 5 },
      { orderId: 'o1', paid: 3 },
      { orderId: 'o9', paid: 1 },
    ]);
    const paid = matchPayments(orders, payments, 60_000);
    paid.getSideOutput(UNPAID).print();
    const out = await paid.executeAndCollect();
    assert.deepEqual(out.map((p) => `${p.orderId}:${p.paid}/${p.amount}:${p.settled}`).sort(), [
      'o1:3/10:false',
      'o2:5/5:true',
    ]);
  });

  it('merge-streams job: prints clicks per page and the paid orders', async () => {
    const { stdout } = await runExample('examples/merge-streams.ts', '-q');
    assert.deepEqual(stdout.trim().split('\n').sort(), [
      'clicks per page> {"page":"/","clicks":1}',
      'clicks per page> {"page":"/basket","clicks":1}',
      'clicks per page> {"page":"/basket","clicks":2}',
      'clicks per page> {"page":"/item","clicks":1}',
      'clicks per page> {"page":"/item","clicks":2}',
      'paid> {"orderId":"o1","userId":"ana","amount":30,"paid":20,"settled":false}',
      'paid> {"orderId":"o2","userId":"bo","amount":12,"paid":12,"settled":true}',
    ]);
  });

  it('watched-directory job: reads each file renamed in once, totals per customer, bad lines named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-example-watch-'));
    const drop = (name: string, lines: readonly string[]) => {
      writeFileSync(join(dir, 'in', `.${name}`), lines.map((l) => `${l}\n`).join(''));
      renameSync(join(dir, 'in', `.${name}`), join(dir, 'in', name));
    };
    const totals = () => {
      try {
        return readdirSync(join(dir, 'out'))
          .filter((f) => !f.startsWith('.'))
          .flatMap((f) => readFileSync(join(dir, 'out', f), 'utf8').split('\n'))
          .filter((l) => l !== '')
          .sort();
      } catch {
        return [];
      }
    };
    const job = spawn(
      process.execPath,
      [
        'bin/eddy.js',
        'run',
        'examples/watched-directory.ts',
        '-q',
        ...['--prop', `orders.in=${join(dir, 'in')}`, '--prop', `orders.out=${join(dir, 'out')}`],
        ...['--prop', 'orders.interval-ms=50'],
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    job.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    try {
      await waitFor(() => existsSync(join(dir, 'in')), {
        timeoutMs: 60_000,
        message: 'the job to create orders.in',
      });
      drop('a.jsonl', [
        '{"customer":"ana","amount":12}',
        'not json',
        '{"customer":"bo","amount":5}',
      ]);
      await waitFor(() => totals().length === 2, {
        timeoutMs: 60_000,
        message: 'the totals of a.jsonl',
      });
      drop('b.jsonl', ['{"customer":"ana","amount":3}']);
      await waitFor(() => totals().length === 3, {
        timeoutMs: 60_000,
        message: 'the totals of b.jsonl',
      });
      assert.deepEqual(totals(), ['ana 12', 'ana 15', 'bo 5']);
      assert.match(stdout, /bad line> .*a\.jsonl:2/);
    } finally {
      job.kill('SIGTERM');
    }
  });
});
