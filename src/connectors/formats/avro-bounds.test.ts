// Found by the fuzzing of issue #17: avsc reads an array or map block of n items by reading n
// items even past the end of the buffer, so a corrupt count of 2^30 built a huge array until the
// heap ran out and the process died (Avro Java's CVE-2023-39410). Such records are now refused
// before avsc decodes them, with an error the source dead-letters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AvroDeserializationSchema, AvroSerializationSchema, type AvroSchema } from './index.ts';

const schema: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'note', type: ['null', 'string'] },
  ],
};

/** Zig-zag varint of `n`. */
function long(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return out;
}

const reader = new AvroDeserializationSchema<unknown>(schema);
const id = [...long(1), 0x61]; // "a"

test('valid records still decode, including arrays and maps', () => {
  const v = { id: 'a', tags: ['x', 'y'], attrs: { k: 1 }, nulls: [null, null], note: 'n' };
  const bytes = new AvroSerializationSchema<typeof v>(schema).serialize(v);
  assert.deepEqual(JSON.parse(JSON.stringify(reader.deserialize(bytes))), v);
});

for (const [what, bytes] of [
  ['an array block of 2^30 items in 3 bytes', [...id, ...long(2 ** 30), 0x02]],
  ['a map block of 2^30 entries', [...id, 0, ...long(2 ** 30), 0x02, 0x61]],
  ['a negative block count with a size', [...id, ...long(-(2 ** 30)), ...long(4), 0x02]],
  ['two billion nulls', [...id, 0, 0, ...long(2 ** 31), 0]],
  ['a string longer than the record', [...long(2 ** 40), 0x61]],
  ['a union index out of range', [...id, 0, 0, 0, ...long(7)]],
] as const) {
  test(`refused without exhausting memory: ${what}`, () => {
    const before = process.memoryUsage().heapUsed;
    assert.throws(() => reader.deserialize(new Uint8Array(bytes)), /invalid Avro record|truncated/);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
  });
}
