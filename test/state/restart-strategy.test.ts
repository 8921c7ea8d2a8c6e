import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRestartStrategy } from '../../src/runtime/recovery/restart-strategy.ts';

test('default: exponential backoff with checkpointing, none without', () => {
  assert.equal(createRestartStrategy({}).onFailure(0), undefined);
  const s = createRestartStrategy({ checkpointInterval: 1000 }, () => 0.5);
  assert.equal(s.onFailure(0), 1000);
  assert.equal(s.onFailure(10), 1500);
  assert.equal(s.onFailure(20), 2250);
});

test('exponential backoff caps, resets after a quiet period, and honours attempts', () => {
  const s = createRestartStrategy(
    {
      restartStrategy: {
        type: 'exponential-backoff',
        initialDelay: 100,
        maxDelay: 300,
        multiplier: 2,
        jitter: 0,
        resetAfter: 10_000,
        attempts: 5,
      },
    },
    () => 0,
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => s.onFailure(t)),
    [100, 200, 300, 300],
  );
  assert.equal(s.onFailure(20_000), 100, 'reset after 10 s without failures');
  assert.equal(s.onFailure(20_001), undefined, 'attempts used up');
});

test('fixed delay and failure rate', () => {
  const f = createRestartStrategy({
    restartStrategy: { type: 'fixed-delay', attempts: 2, delay: '2s' },
  });
  assert.deepEqual([f.onFailure(0), f.onFailure(1), f.onFailure(2)], [2000, 2000, undefined]);
  const r = createRestartStrategy({
    restartStrategy: { type: 'failure-rate', maxFailures: 2, interval: '1m', delay: 10 },
  });
  assert.equal(r.onFailure(0), 10);
  assert.equal(r.onFailure(1000), 10);
  assert.equal(r.onFailure(2000), undefined, 'three failures within a minute');
  const r2 = createRestartStrategy({
    restartStrategy: { type: 'failure-rate', maxFailures: 2, interval: '1m', delay: 10 },
  });
  assert.equal(r2.onFailure(0), 10);
  assert.equal(r2.onFailure(30_000), 10);
  assert.equal(r2.onFailure(70_000), 10, 'the first failure left the window');
  assert.equal(
    createRestartStrategy({ restartStrategy: { type: 'none' } }).onFailure(0),
    undefined,
  );
});
