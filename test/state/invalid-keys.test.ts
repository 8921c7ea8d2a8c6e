// Issue #17 defects 8 and 13: keys that cannot be keys are refused at the first record with a
// message naming the keyBy (they were accepted, shared state, and made every checkpoint fail so a
// bounded job restarted forever); a non-retryable user error is not restarted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CollectSink,
  EddyError,
  StreamEnvironment,
  ValueStateDescriptor,
  type EnvironmentOptions,
} from '../../src/index.ts';

/** The line of the keyBy below that returns a Set. */
const KEY_BY_LINE =
  readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .findIndex((l) => l.trim().startsWith('const keyed = ')) + 1;

const restarting = (): EnvironmentOptions => ({
  handleSignals: false,
  checkpointInterval: 10,
  checkpointDir: mkdtempSync(join(tmpdir(), 'eddy-keys-')),
  restartStrategy: { type: 'fixed-delay', attempts: 5, delay: 1 },
});

interface Click {
  readonly user: string;
  readonly tags: readonly string[];
}
const clicks: Click[] = Array.from({ length: 100 }, (_, i) => ({
  user: `u${i % 3}`,
  tags: [`t${i % 2}`],
}));

for (const parallelism of [1, 2]) {
  test(`a Set key is refused at the first record, naming the keyBy, without restarts (p=${parallelism})`, async () => {
    const env = StreamEnvironment.create({ ...restarting(), parallelism });
    const keyed = env.fromCollection(clicks).keyBy((c) => new Set(c.tags));
    keyed
      .map((c, ctx) => {
        const n = ctx.getState(new ValueStateDescriptor<number>('n'));
        n.update((n.value() ?? 0) + 1);
        return c;
      })
      .sinkTo(new CollectSink());
    const client = env.executeAsync();
    await assert.rejects(client.result, (e: unknown) => {
      assert.ok(e instanceof EddyError, String(e));
      assert.equal(e.code, 'INVALID_KEY', e.message);
      assert.equal(e.operator?.name, 'Map');
      assert.match(e.message, /a Set is not a key/);
      assert.match(
        e.message,
        new RegExp(`keyBy\\(\\) at .*invalid-keys\\.test\\.ts:${KEY_BY_LINE}:`),
      );
      assert.match(e.message, /hint: return a string, number/);
      return true;
    });
    assert.equal(client.checkpointStats().restarts, 0, 'a refused key is not restarted');
    assert.equal(client.exceptionHistory().length, 1);
  });
}

test('a symbol key is refused before any checkpoint could fail on it', async () => {
  const env = StreamEnvironment.create(restarting());
  env
    .fromCollection(clicks)
    .keyBy((c) => Symbol.for(c.user))
    .reduce((a) => a)
    .sinkTo(new CollectSink());
  await assert.rejects(
    env.execute(),
    (e: unknown) => e instanceof EddyError && e.code === 'INVALID_KEY' && /symbol/.test(e.message),
  );
});

test('composite keys with properties in any order share one state', async () => {
  const env = StreamEnvironment.create({ handleSignals: false });
  const out = await env
    .fromCollection(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? { user: 'ana', region: 'eu' } : { region: 'eu', user: 'ana' },
      ),
    )
    .keyBy((r) => r)
    .map((r, ctx) => {
      const n = ctx.getState(new ValueStateDescriptor<number>('n'));
      n.update((n.value() ?? 0) + 1);
      return n.value();
    })
    .executeAndCollect();
  assert.deepEqual(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('a user error marked not retryable is not restarted; a plain error is, as in Flink', async () => {
  for (const [error, restarts] of [
    [
      new EddyError('the configuration names no such region', {
        code: 'USER_FUNCTION_FAILED',
        domain: 'user',
        retryable: false,
      }),
      0,
    ],
    [new Error('lookup timed out'), 5],
  ] as const) {
    const env = StreamEnvironment.create(restarting());
    env
      .fromCollection(clicks)
      .map(() => {
        throw error;
      })
      .sinkTo(new CollectSink());
    const client = env.executeAsync();
    await assert.rejects(client.result);
    assert.equal(client.checkpointStats().restarts, restarts, String(error));
  }
});
