import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LruCache } from './lru-cache.ts';

test('LRU: hits refresh recency; inserts beyond maxSize evict the least recently used', () => {
  const c = new LruCache<string, number>({ maxSize: 2, ttlMs: 1000 });
  c.set('a', 1, 0);
  c.set('b', 2, 0);
  assert.equal(c.get('a', 1)?.value, 1); // a is now the most recent
  c.set('c', 3, 2); // evicts b
  assert.equal(c.get('b', 3), undefined);
  assert.equal(c.get('a', 3)?.value, 1);
  assert.equal(c.get('c', 3)?.value, 3);
  assert.equal(c.evictions, 1);
});

test('TTL: entries expire ttl after they were set; undefined values are cached', () => {
  const c = new LruCache<string, number | undefined>({ maxSize: 10, ttlMs: 100 });
  c.set('missing', undefined, 0);
  assert.ok(c.get('missing', 99) !== undefined);
  assert.equal(c.get('missing', 100), undefined);
  assert.equal(c.size, 0);
});

test('LRU agrees with a reference model (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.array(
        fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 20 })),
      ),
      (maxSize, ops) => {
        const ttl = 50;
        const c = new LruCache<number, number>({ maxSize, ttlMs: ttl });
        const model: { k: number; v: number; exp: number }[] = []; // least recent first
        let now = 0;
        for (const [isSet, k, dt] of ops) {
          now += dt;
          const i = model.findIndex((e) => e.k === k);
          if (isSet) {
            if (i >= 0) model.splice(i, 1);
            model.push({ k, v: now, exp: now + ttl });
            if (model.length > maxSize) model.shift();
            c.set(k, now, now);
          } else {
            const got = c.get(k, now);
            const e = i >= 0 ? model[i] : undefined;
            if (e !== undefined) model.splice(i, 1);
            if (e === undefined || e.exp <= now) assert.equal(got, undefined);
            else {
              model.push(e);
              assert.equal(got?.value, e.v);
            }
          }
          assert.ok(c.size <= maxSize);
        }
      },
    ),
  );
});
