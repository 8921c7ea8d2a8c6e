import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, comparableLines, decimalString } from './canonical.ts';

test('sorts keys at every level and writes integers only', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: 'x"y', c: null } }),
    '{"a":{"c":null,"d":"x\\"y"},"b":1}',
  );
  assert.throws(() => canonicalJson({ a: 0.5 }), TypeError);
});

test('exact decimals', () => {
  assert.equal(decimalString(90800, 3), '90.800');
  assert.equal(decimalString(5, 3), '0.005');
  assert.equal(decimalString(-1234, 2), '-12.34');
});

test('q12 compares per-bidder totals', () => {
  const lines = [
    '{"bid_count":2,"bidder":7,"endtime":10,"starttime":0}',
    '{"bid_count":3,"bidder":7,"endtime":20,"starttime":10}',
  ];
  assert.deepEqual(comparableLines('q12', lines), ['{"bid_count":5,"bidder":7}']);
  assert.deepEqual(comparableLines('q0', ['b', 'a']), ['a', 'b']);
});

test('property: decimalString is the exact decimal for any safe integer and scale', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.maxSafeNat()),
      fc.integer({ min: 0, max: 6 }),
      (units, scale) => {
        const digits = String(Math.abs(units)).padStart(scale + 1, '0');
        const whole = digits.slice(0, digits.length - scale);
        const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
        assert.equal(decimalString(units, scale), `${units < 0 ? '-' : ''}${whole}${fraction}`);
      },
    ),
  );
});
