import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASYNC_FAILURES, LookupJoin, type AsyncFailure, type DataStream } from '../index.ts';
import { OneInputHarness, runPipeline } from '../testing/index.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Click {
  readonly user: string;
  readonly page: string;
}

function profileTable() {
  const calls: string[] = [];
  const table: Record<string, { country: string } | undefined> = {
    u1: { country: 'FR' },
    u2: { country: 'JP' },
  };
  const lookup = (user: string) => {
    calls.push(user);
    if (user === 'broken') return Promise.reject(new Error('HTTP 500'));
    return Promise.resolve(table[user]);
  };
  return { calls, lookup, table };
}

function harness(
  lookup: (user: string) => Promise<{ country: string } | undefined>,
  cache: { maxSize?: number; ttl?: number } | false = { maxSize: 2, ttl: 1000 },
) {
  return OneInputHarness.of((clicks: DataStream<Click>) =>
    LookupJoin.async(clicks, {
      key: (c) => c.user,
      lookup,
      join: (c, p) => `${c.user}${c.page}:${p?.country ?? '?'}`,
      cache,
    }),
  );
}

test('hits come from the cache; TTL runs on the processing-time clock; metrics count both', async () => {
  const { calls, lookup, table } = profileTable();
  const h = harness(lookup);
  h.processElement({ user: 'u1', page: '/a' });
  await tick();
  h.processElement({ user: 'u1', page: '/b' });
  h.processElement({ user: 'nobody', page: '/c' });
  await tick();
  h.processElement({ user: 'nobody', page: '/d' }); // "not found" is cached too
  await tick();
  assert.deepEqual(h.output(), ['u1/a:FR', 'u1/b:FR', 'nobody/c:?', 'nobody/d:?']);
  assert.deepEqual(calls, ['u1', 'nobody']);
  table['u1'] = { country: 'DE' };
  h.setProcessingTime(999);
  h.processElement({ user: 'u1', page: '/e' });
  h.setProcessingTime(1000); // the entry of u1 (set at 0) expires now
  h.processElement({ user: 'u1', page: '/f' });
  await tick();
  assert.deepEqual(h.output().slice(4), ['u1/e:FR', 'u1/f:DE']);
  const m = h.metrics();
  assert.equal(m['lookup_cache_hits'], 3);
  assert.equal(m['lookup_cache_misses'], 3);
});

test('maxSize evicts the least recently used key', async () => {
  const { calls, lookup } = profileTable();
  const h = harness(lookup, { maxSize: 2, ttl: 60_000 });
  for (const user of ['u1', 'u2', 'u1', 'x', 'u2', 'u1']) {
    h.processElement({ user, page: '/' });
    await tick();
  }
  // u1 hit (u2 becomes least recent); x evicts u2; u2 misses and evicts u1; u1 misses.
  assert.deepEqual(calls, ['u1', 'u2', 'x', 'u2', 'u1']);
  assert.equal(h.metrics()['lookup_cache_size'], 2);
});

test('concurrent lookups of one key share one request', async () => {
  let resolve!: (v: { country: string }) => void;
  let n = 0;
  const h = harness(() => {
    n++;
    return new Promise((r) => {
      resolve = r;
    });
  });
  h.processElements([
    { user: 'u1', page: '/a' },
    { user: 'u1', page: '/b' },
    { user: 'u1', page: '/c' },
  ]);
  assert.equal(n, 1);
  resolve({ country: 'IT' });
  await tick();
  assert.deepEqual(h.output(), ['u1/a:IT', 'u1/b:IT', 'u1/c:IT']);
});

test('without a cache every record is looked up; failed lookups are dead letters', async () => {
  const { calls, lookup } = profileTable();
  const h = harness(lookup, false);
  h.processElements([
    { user: 'u1', page: '/a' },
    { user: 'broken', page: '/b' },
  ]);
  await tick();
  h.processElement({ user: 'u1', page: '/c' });
  await tick();
  assert.deepEqual(calls, ['u1', 'broken', 'u1']);
  assert.deepEqual(h.output(), ['u1/a:FR', 'u1/c:FR']);
  const [f] = h.sideOutput(ASYNC_FAILURES) as AsyncFailure<Click>[];
  assert.deepEqual(f?.value, { user: 'broken', page: '/b' });
  assert.match(String((f?.error.cause as Error).message), /HTTP 500/);
});

test('each parallel subtask has its own cache', async () => {
  const { calls, lookup } = profileTable();
  const { sink } = await runPipeline(
    (env) => {
      LookupJoin.async(env.fromCollection<Click>([], 'clicks').rebalance(), {
        key: (c) => c.user,
        lookup,
        join: (c, p) => `${c.user}:${p?.country}`,
      })
        .setParallelism(2)
        .print()
        .name('out');
    },
    {
      sources: { clicks: [1, 2, 3, 4].map(() => ({ user: 'u1', page: '/' })) },
      batchSize: 1,
    },
  );
  assert.equal(sink('out').length, 4);
  assert.equal(calls.length, 2);
});
