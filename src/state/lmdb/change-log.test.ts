import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ChangeLog, type ChangeCursor } from './change-log.ts';

interface Change {
  readonly entryKey: string;
  readonly keyGroup: number;
  readonly value: Buffer | undefined;
}

async function all(it: AsyncIterable<ChangeCursor>): Promise<Change[]> {
  const out: Change[] = [];
  // Values are views of the read buffer: copied to be kept.
  for await (const c of it)
    while (c.next())
      out.push({
        entryKey: c.entryKey,
        keyGroup: c.keyGroup,
        value: c.value === undefined ? undefined : Buffer.from(c.value),
      });
  return out;
}

const change = fc.record({
  entryKey: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `st\u0000${s}`),
  keyGroup: fc.integer({ min: 0, max: 32767 }),
  // Mostly small values; a few larger than the log's 1 MiB buffers, in both directions.
  value: fc.option(
    fc.oneof(
      { weight: 20, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 1, max: 3 << 20 }).map((n) => new Uint8Array(n).fill(n & 255)),
      },
    ),
    { nil: undefined, freq: 4 },
  ),
});

test('what is appended is read back newest first, across segments, buffer and read-chunk boundaries', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(change, { maxLength: 60 }), { minLength: 1, maxLength: 4 }),
      async (epochs) => {
        const dir = mkdtempSync(join(tmpdir(), 'eddy-change-log-'));
        const log = new ChangeLog(dir);
        epochs.forEach((changes, i) => {
          for (const c of changes)
            log.append(
              c.entryKey,
              c.keyGroup,
              c.value === undefined ? undefined : Buffer.from(c.value),
            );
          log.seal(i + 1);
        });
        const reader = log.reader(new Set(epochs.map((_, i) => i + 1)));
        // Newest first: the last record appended comes first.
        const expected = epochs.flat().reverse();
        assert.equal(reader.records, expected.length);
        const got = await all(reader.changes());
        assert.equal(got.length, expected.length);
        got.forEach((g, i) => {
          const e = expected[i] as (typeof expected)[number];
          assert.equal(g.entryKey, e.entryKey);
          assert.equal(g.keyGroup, e.keyGroup);
          if (e.value === undefined) assert.equal(g.value, undefined);
          else
            assert.ok(g.value !== undefined && Buffer.from(e.value).equals(g.value), `value ${i}`);
        });
        reader.release();
        log.close();
      },
    ),
    { numRuns: 30 },
  );
});

test('a reader sees only the epochs it asked for, and a dropped segment stays until it is released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-change-log-'));
  const log = new ChangeLog(dir, 3);
  log.append('a', 1, Buffer.from([1]));
  log.seal(3);
  log.append('b', 2, undefined);
  log.seal(4);
  assert.throws(() => log.seal(6), /sealed epoch 6, expected 5/);
  const second = log.reader(new Set([4]));
  assert.deepEqual(
    (await all(second.changes())).map((c) => c.entryKey),
    ['b'],
  );
  const files = () => readdirSync(dir).sort();
  assert.deepEqual(files(), ['changes-3.log', 'changes-4.log']);
  // Epoch 4 confirmed while a checkpoint still reads it: the file goes when the reader is done.
  log.drop(4);
  assert.deepEqual(files(), ['changes-4.log']);
  assert.deepEqual(
    (await all(second.changes())).map((c) => c.entryKey),
    ['b'],
  );
  second.release();
  second.release(); // twice is harmless
  assert.equal(existsSync(join(dir, 'changes-4.log')), false);
  // Dropped segments are no longer offered to new readers.
  assert.equal(log.reader(new Set([3, 4])).records, 0);
  log.close();
});

test('a cursor left inside its buffer is an error, not an endless loop', async () => {
  const log = new ChangeLog(mkdtempSync(join(tmpdir(), 'eddy-change-log-')));
  log.append('a', 1, Buffer.from([1]));
  log.append('b', 1, Buffer.from([2]));
  log.seal(1);
  const reader = log.reader(new Set([1]));
  await assert.rejects(async () => {
    for await (const c of reader.changes()) c.next(); // takes 'b', leaves 'a'
  }, /a cursor was not read to its end/);
  reader.release();
  log.close();
});
