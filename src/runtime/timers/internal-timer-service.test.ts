import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import { InternalTimerService, type TimerEntry } from './internal-timer-service.ts';

function service(fired: TimerEntry[]): {
  timers: InternalTimerService;
  backend: HeapKeyedStateBackend;
} {
  const backend = new HeapKeyedStateBackend('op');
  const clock = { now: () => 0, schedule: () => () => {} };
  const timers = new InternalTimerService(
    backend,
    clock,
    (t) => fired.push(t),
    (a) => a(),
  );
  return { timers, backend };
}

for (const key of [7, 'seven', true]) {
  test(`a restored window timer of key ${JSON.stringify(key)} is the one the window registers again and deletes`, () => {
    const fired: TimerEntry[] = [];
    const before = service(fired);
    before.backend.setCurrentKey(key);
    before.timers.setNamespace('0:1000');
    before.timers.registerEventTimeTimer(999);
    const saved = before.timers.timers();

    const after = service(fired);
    after.timers.restore(saved);
    after.backend.setCurrentKey(key);
    after.timers.setNamespace('0:1000');
    // A record of the same window after the restore registers the same timer: still one.
    after.timers.registerEventTimeTimer(999);
    assert.equal(after.timers.counts().eventTime, 1);
    // Purging the window deletes it: none left to fire.
    after.timers.deleteEventTimeTimer(999);
    assert.equal(after.timers.counts().eventTime, 0);
    after.timers.advanceWatermark(2000);
    assert.deepEqual(fired, []);
  });
}
