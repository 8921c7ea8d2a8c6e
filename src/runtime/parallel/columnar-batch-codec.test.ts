import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeColumns, encodeColumns, resetColumnarShapes } from './columnar-batch-codec.ts';

/** What the receiving thread gets: columns through a structured clone, or the clone itself. */
function roundTrip(values: readonly unknown[]): { out: unknown[]; columnar: boolean } {
  // Random keys make a new shape per case; a thread keeps a bounded set of them.
  resetColumnarShapes();
  const transfer: ArrayBuffer[] = [];
  const cols = encodeColumns(values, values.length, transfer);
  if (cols === undefined) return { out: structuredClone([...values]), columnar: false };
  const received = structuredClone(cols, { transfer });
  const out: unknown[] = [];
  decodeColumns(received, values.length, out);
  return { out, columnar: true };
}

/** Key order matters to users (JSON output, Object.keys): compare it too, at every depth. */
function keyOrders(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return typeof v;
  return Object.keys(v).map((k) => [k, keyOrders((v as Record<string, unknown>)[k])]);
}

const fieldValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity),
  fc.string(),
  fc.string({ unit: 'binary' }), // lone surrogates and all
  fc.boolean(),
);

/** A record shape: keys in order, each with a kind or a nested shape. */
type Shape = readonly (readonly [string, 'number' | 'string' | 'boolean' | Shape])[];

/** Shapes with fields of each kind, objects nested up to two levels below the record. */
const shapeOf = (depth: number): fc.Arbitrary<Shape> =>
  fc
    .uniqueArray(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: depth === 0 ? 6 : 3 })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((k) =>
          fc.tuple(
            fc.constant(k),
            depth < 2
              ? fc.oneof(
                  { weight: 3, arbitrary: fc.constantFrom('number', 'string', 'boolean') },
                  { weight: 1, arbitrary: shapeOf(depth + 1) },
                )
              : fc.constantFrom('number', 'string', 'boolean'),
          ),
        ),
      ),
    ) as fc.Arbitrary<Shape>;

function recordOf(shape: Shape): fc.Arbitrary<Record<string, unknown>> {
  const gen = (kind: Shape[number][1]): fc.Arbitrary<unknown> =>
    kind === 'number'
      ? fc.double()
      : kind === 'string'
        ? fc.string()
        : kind === 'boolean'
          ? fc.boolean()
          : recordOf(kind);
  return fc.tuple(...shape.map(([, kind]) => gen(kind))).map((vals) => {
    const o: Record<string, unknown> = {};
    shape.forEach(([k], j) => (o[k] = vals[j]));
    return o;
  });
}

/** Batches that are uniform (one shape, one type per field) — the columnar case. */
const uniformBatch = shapeOf(0).chain((shape) =>
  fc.array(recordOf(shape), { minLength: 1, maxLength: 40 }),
);

/** Anything a record may be, uniform or not. */
const anyBatch = fc.array(
  fc.oneof(
    fieldValue,
    fc.dictionary(fc.string({ maxLength: 4 }), fieldValue, { maxKeys: 4 }),
    fc.record({ a: fc.integer(), b: fc.string() }),
    fc.record({ a: fc.integer(), b: fc.option(fc.string()) }),
    fc.record({ a: fc.integer(), nested: fc.record({ x: fc.integer() }) }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.date({ noInvalidDate: true }),
    fc.constant(null),
  ),
  { minLength: 1, maxLength: 20 },
);

describe('columnar batch codec', () => {
  it('gives what a structured clone gives for uniform batches, key order included', () => {
    fc.assert(
      fc.property(uniformBatch, (values) => {
        const { out, columnar } = roundTrip(values);
        assert.ok(columnar, 'a uniform batch travels in columns');
        assert.deepStrictEqual(out, structuredClone(values));
        assert.deepStrictEqual(out.map(keyOrders), values.map(keyOrders));
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('gives what a structured clone gives for any batch (columns or the clone fallback)', () => {
    fc.assert(
      fc.property(anyBatch, (values) => {
        const { out } = roundTrip(values);
        assert.deepStrictEqual(out, structuredClone(values));
        assert.deepStrictEqual(out.map(keyOrders), values.map(keyOrders));
      }),
      { numRuns: 500, seed: 20261126 },
    );
  });

  it('keeps -0, NaN, lone surrogates and bare numbers and strings', () => {
    const numbers = roundTrip([0, -0, Number.NaN, 1.5, -Infinity]);
    assert.ok(numbers.columnar);
    assert.ok(Object.is(numbers.out[1], -0));
    assert.ok(Number.isNaN(numbers.out[2]));
    const strings = roundTrip(['a', '\ud800', '']);
    assert.ok(strings.columnar);
    assert.deepStrictEqual(strings.out, ['a', '\ud800', '']);
  });

  it('clones what columns cannot carry exactly', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cases: unknown[][] = [
      [{ a: 1 }, { a: 'one' }], // a field changes type
      [
        { n: 1, s: 'x' },
        { n: 2, s: 3 },
      ], // a later column fails after a number column was encoded
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ], // key order differs
      [{ a: 1 }, { a: 1, b: 2 }], // keys differ
      [{ a: null }], // null
      [{ a: undefined }], // undefined
      [{ a: { b: { c: { d: 1 } } } }], // nested deeper than two levels
      [{ a: { b: 1 } }, { a: { b: 'one' } }], // a nested field changes type
      [{ a: { b: 1 } }, { a: 1 }], // a field is an object, then not
      [{ a: { b: 1 } }, { a: { c: 1 } }], // nested keys differ
      [{ a: { b: [1] } }], // an array inside
      [new Point(1)], // class instance
      [[1, 2]], // arrays
      [true, false], // bare booleans
      [JSON.parse('{"__proto__": 1}') as unknown], // would set a prototype in a literal
      [{}], // no keys
    ];
    for (const values of cases) {
      resetColumnarShapes();
      const transfer: ArrayBuffer[] = [];
      assert.equal(encodeColumns(values, values.length, transfer), undefined, String(values));
      assert.deepEqual(transfer, [], 'nothing to transfer when the batch is cloned');
      assert.deepStrictEqual(roundTrip(values).out, structuredClone(values));
    }
  });

  it('keeps key lists apart whatever characters their keys contain', () => {
    resetColumnarShapes();
    // Joined with a NUL separator, these two key lists would read the same.
    const a = [{ 'a\u0000': 1, b: 2 }];
    const b = [{ a: 1, '\u0000b': 2 }];
    for (const values of [a, b, a]) {
      const transfer: ArrayBuffer[] = [];
      const cols = encodeColumns(values, 1, transfer);
      assert.ok(cols !== undefined);
      const out: unknown[] = [];
      decodeColumns(structuredClone(cols, { transfer }), 1, out);
      assert.deepStrictEqual(out, values);
    }
  });

  it('clones a record that refers to itself', () => {
    resetColumnarShapes();
    const r: Record<string, unknown> = { id: 1 };
    r['self'] = r;
    assert.equal(encodeColumns([r], 1, []), undefined);
  });

  it("carries a window join's tagged records (one side per channel) in columns", () => {
    const left = [
      { side: 0, value: { id: 1, name: 'a', dateTime: 10 } },
      { side: 0, value: { id: 2, name: 'b', dateTime: 11 } },
    ];
    const right = [
      { side: 1, value: 7 },
      { side: 1, value: 8 },
    ];
    for (const values of [left, right]) {
      const { out, columnar } = roundTrip(values);
      assert.ok(columnar);
      assert.deepStrictEqual(out, values);
    }
  });

  it('transfers the number columns instead of copying them', () => {
    resetColumnarShapes();
    const transfer: ArrayBuffer[] = [];
    const cols = encodeColumns(
      [
        { id: 1, name: 'a', ok: true },
        { id: 2, name: 'b', ok: false },
      ],
      2,
      transfer,
    );
    assert.ok(cols !== undefined);
    assert.equal(transfer.length, 2); // id (Float64Array) and ok (Uint8Array)
    const nested: ArrayBuffer[] = [];
    assert.ok(encodeColumns([{ side: 0, value: { id: 1, at: 2 } }], 1, nested) !== undefined);
    assert.equal(nested.length, 3); // side, value.id, value.at
  });
});

describe('columnar batch codec shapes', () => {
  it('keeps a bounded set of key lists per thread; others are cloned', () => {
    resetColumnarShapes();
    for (let i = 0; i < 256; i++) assert.ok(encodeColumns([{ [`k${i}`]: i }], 1, []) !== undefined);
    assert.equal(encodeColumns([{ other: 1 }], 1, []), undefined);
    // Shapes already seen keep travelling in columns.
    assert.ok(encodeColumns([{ k7: 1 }], 1, []) !== undefined);
    resetColumnarShapes();
  });
});
