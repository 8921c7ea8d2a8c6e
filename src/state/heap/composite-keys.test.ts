import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CompositeKeys, type CompositeKey } from './composite-keys.ts';

type Op =
  | { readonly kind: 'of'; readonly key: string | number; readonly ns: string | number }
  | { readonly kind: 'retain'; readonly drop: number };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('of' as const),
        // Mostly two keys (0 and "0", apart), so that a key gathers many namespaces.
        key: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(0, '0') },
          {
            weight: 1,
            arbitrary: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom('a', 'b')),
          },
        ),
        // Up to 16 namespaces of a key: past the 8 it scans, it keeps them by namespace.
        ns: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom('w', '0')),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('retain' as const), drop: fc.nat(2) }) },
  ),
  { maxLength: 120, size: 'max' },
);

test('one interned composite per key and namespace, across pruning, against a plain map', () => {
  fc.assert(
    fc.property(ops, (ops) => {
      const keys = new CompositeKeys();
      // "<typeof key>:key|<typeof ns>:ns" → the composite handed out for it.
      const reference = new Map<string, CompositeKey>();
      const name = (k: unknown, ns: unknown) => `${typeof k}:${k}|${typeof ns}:${ns}`;
      for (const o of ops) {
        if (o.kind === 'of') {
          let added = false;
          const c = keys.of(o.key, o.ns, () => (added = true));
          assert.equal(c.key, o.key);
          assert.equal(c.namespace, o.ns);
          const before = reference.get(name(o.key, o.ns));
          // The same object while remembered (a table finds it by identity); new otherwise.
          if (before !== undefined) assert.equal(c, before);
          assert.equal(added, before === undefined, 'added only when new');
          reference.set(name(o.key, o.ns), c);
        } else {
          // Drops the composites of some namespaces: some of each key.
          const keep = (c: CompositeKey) => String(c.namespace).charCodeAt(0) % 3 !== o.drop;
          keys.retain(keep);
          for (const [n, c] of [...reference]) if (!keep(c)) reference.delete(n);
        }
        assert.equal(keys.size, reference.size);
        assert.deepEqual(new Set(keys), new Set(reference.values()));
      }
    }),
  );
});

test('a pruning from the `added` callback that drops the key keeps the new composite', () => {
  const keys = new CompositeKeys();
  keys.of(1, 7);
  const c = keys.of(2, 7, () => keys.retain(() => false));
  assert.equal(keys.size, 1);
  assert.deepEqual([...keys], [c]);
  // Found again (not added again) under its key.
  let again = false;
  assert.equal(
    keys.of(2, 7, () => (again = true)),
    c,
  );
  assert.equal(again, false);
});
