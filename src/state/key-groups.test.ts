// Issue #17 defect 8: keys were normalized with JSON.stringify, so every Set and Map was the key
// "{}", {user, region} and {region, user} were different keys, a string could equal a
// composite's JSON, and symbols or functions were accepted until a checkpoint failed. Checked
// here against a brute-force definition of key equality.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EddyError } from '../errors/eddy-error.ts';
import { keyGroupOf, keyString, normalizeKey } from './key-groups.ts';

/** Map's equality of primitives (SameValueZero). */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** What the documentation of `normalizeKey` says key equality is, written the slow way. */
function keysEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object' || a === null || b === null) return sameValueZero(a, b);
  const bo = b as object;
  if (Array.isArray(a) !== Array.isArray(bo)) return false;
  if (Array.isArray(a)) {
    const bb = bo as unknown[];
    return a.length === bb.length && a.every((x, i) => keysEqual(x, bb[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = bo as Record<string, unknown>;
  const ka = Object.keys(ra)
    .filter((k) => ra[k] !== undefined)
    .sort();
  const kb = Object.keys(rb)
    .filter((k) => rb[k] !== undefined)
    .sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && keysEqual(ra[k], rb[k]));
}

// Small domains, so that equal keys come up often; strings that look like what other keys
// normalize to.
const text = fc.constantFrom(
  '',
  'a',
  'b',
  '1',
  'true',
  '[1]',
  '{"a":1}',
  '\u0000',
  '\u0000"a"',
  '\u0000[1]',
  'n1',
);
const leaf = fc.oneof(
  text,
  fc.constantFrom(0, -0, 1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -1),
  fc.boolean(),
  fc.constantFrom(0n, 1n, -1n),
);
const { key: compositeKey } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.constant(null), tie('key')),
  key: fc.oneof(
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(tie('value'), fc.constant(undefined)), {
      maxKeys: 3,
    }),
    fc
      .dictionary(fc.constantFrom('a', 'b'), tie('value'), { maxKeys: 2 })
      .map((o) => Object.assign(Object.create(null) as object, o)),
  ),
}));
const validKey = fc.oneof(leaf, compositeKey);

/** The same key built again: properties in another order, undefined properties added. */
function rebuilt(k: unknown, rand: () => number): unknown {
  if (typeof k !== 'object' || k === null) return k;
  if (Array.isArray(k)) return k.map((x) => rebuilt(x, rand));
  const entries = Object.entries(k).sort(() => rand() - 0.5);
  const out: Record<string, unknown> = {};
  for (const [name, v] of entries) out[name] = rebuilt(v, rand);
  if (rand() < 0.3) out['zz'] = undefined;
  return out;
}

describe('normalizeKey', () => {
  it('equal keys and only equal keys normalize to the same Map key (property)', () => {
    fc.assert(
      fc.property(validKey, validKey, (a, b) => {
        assert.equal(sameValueZero(normalizeKey(a), normalizeKey(b)), keysEqual(a, b));
        // Inside namespaced state keys too.
        assert.equal(keyString(normalizeKey(a)) === keyString(normalizeKey(b)), keysEqual(a, b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('a key rebuilt with its properties in another order is the same key, in the same key group', () => {
    fc.assert(
      fc.property(validKey, fc.integer(), (k, seed) => {
        let s = seed;
        const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 8) / (1 << 24);
        const again = rebuilt(k, rand);
        assert.ok(sameValueZero(normalizeKey(k), normalizeKey(again)));
        assert.equal(keyGroupOf(normalizeKey(k), 128), keyGroupOf(normalizeKey(again), 128));
      }),
      { numRuns: 5_000 },
    );
  });

  it('the cases of the issue', () => {
    assert.equal(
      normalizeKey({ user: 'ana', region: 'eu' }),
      normalizeKey({ region: 'eu', user: 'ana' }),
    );
    assert.notEqual(normalizeKey('{"a":1}'), normalizeKey({ a: 1 }));
    assert.notEqual(normalizeKey([1]), normalizeKey(['1']));
    assert.notEqual(keyString(normalizeKey(1)), keyString(normalizeKey('1')));
    assert.notEqual(normalizeKey([Number.NaN]), normalizeKey([null]));
  });

  it('refuses what cannot be a key, saying what it got', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const cases: [unknown, RegExp][] = [
      [undefined, /undefined/],
      [null, /null/],
      [Symbol('s'), /symbol/],
      [() => 1, /function/],
      [new Set([1]), /a Set is not a key/],
      [new Map(), /a Map is not a key/],
      [new Date(0), /a Date is not a key/],
      [new Uint8Array(2), /a Uint8Array is not a key/],
      [new (class UserKey {})(), /a UserKey is not a key/],
      [{ a: Symbol('s') }, /symbol/],
      [[1, undefined], /element 1 of the array is undefined/],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 2], /element 1 of the array is undefined/],
      [cyclic, /nest at most/],
    ];
    for (const [key, message] of cases) {
      assert.throws(
        () => normalizeKey(key),
        (e: unknown) =>
          e instanceof EddyError &&
          e.code === 'INVALID_KEY' &&
          !e.retryable &&
          message.test(e.message),
        String(message),
      );
    }
  });
});
